-----------------------------------------------------------------------------
-- Revenue retention from per-customer MRR at the start and the end of a
-- period.  Each row (mrr_start, mrr_end) is: new (start = 0 < end), churned
-- (start > 0 = end), expansion (end > start > 0, by end - start),
-- contraction (0 < end < start, by start - end); every start > 0 adds to the
-- starting MRR.  NULL counts as 0; a negative amount is 22003.  Amounts are
-- rounded half-even to 6 decimal places and summed exactly as int64
-- micro-units.  Text form:
--   v1;rows=R;starting=A/C;new=A/C;expansion=A/C;contraction=A/C;churned=A/C
-- (amount A with 6 decimals / customers C); v1;ledger;rows=... for a state
-- built from a movements ledger (C then counts movements).
-----------------------------------------------------------------------------
CREATE TYPE revenue_state;

CREATE FUNCTION revenue_state_in(cstring) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_in(cstring) IS 'text input of revenue_state';

CREATE FUNCTION revenue_state_out(revenue_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_revenue_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_out(revenue_state) IS 'text output of revenue_state (exact amounts)';

CREATE FUNCTION revenue_state_recv(internal) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_recv(internal) IS 'binary input of revenue_state, validated like the text input';

CREATE FUNCTION revenue_state_send(revenue_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_revenue_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_send(revenue_state) IS 'binary output of revenue_state';

CREATE TYPE revenue_state (
    INPUT = revenue_state_in,
    OUTPUT = revenue_state_out,
    RECEIVE = revenue_state_recv,
    SEND = revenue_state_send,
    INTERNALLENGTH = 96,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE revenue_state IS
    'revenue movements: starting, new, expansion, contraction and churned MRR (exact micro-units) with customer counts; rolls up exactly';

CREATE FUNCTION revenue_state_to_jsonb(revenue_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_revenue_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_to_jsonb(revenue_state) IS
    'revenue_state as jsonb: amounts, customer counts, ending MRR and the three rates';

CREATE CAST (revenue_state AS jsonb) WITH FUNCTION revenue_state_to_jsonb(revenue_state);
COMMENT ON CAST (revenue_state AS jsonb) IS 'revenue_state as a jsonb object';

CREATE FUNCTION revenue_accum(revenue_state, numeric, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_accum(revenue_state, numeric, numeric) IS
    'revenue transition: classifies one customer row (mrr_start, mrr_end); NULL counts as 0';

CREATE FUNCTION revenue_accum_inv(revenue_state, numeric, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_accum_inv(revenue_state, numeric, numeric) IS
    'revenue inverse transition: removes one customer row (moving windows)';

CREATE FUNCTION revenue_combine(revenue_state, revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_combine(revenue_state, revenue_state) IS
    'adds two revenue_state values (combine and rollup transition)';

CREATE FUNCTION revenue_combine_inv(revenue_state, revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_combine_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_combine_inv(revenue_state, revenue_state) IS
    'removes a revenue_state from a running rollup (moving windows)';

CREATE FUNCTION revenue_state_final(revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_final(revenue_state) IS
    'final function of revenue_agg and rollup: the state, NULL for no rows';

CREATE FUNCTION gross_revenue_retention(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_gross_revenue_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gross_revenue_retention(revenue_state) IS
    'gross revenue retention in percent: 100 * (starting - contraction - churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION net_revenue_retention(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_net_revenue_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION net_revenue_retention(revenue_state) IS
    'net revenue retention in percent: 100 * (starting + expansion - contraction - churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION revenue_churn_rate(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_revenue_churn_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_churn_rate(revenue_state) IS
    'revenue churn in percent: 100 * (contraction + churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION starting_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_starting_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION starting_mrr(revenue_state) IS 'MRR at period start of the customers who had any (exact, 6 decimals)';

CREATE FUNCTION new_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_new_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION new_mrr(revenue_state) IS 'MRR at period end of the customers with none at start (exact, 6 decimals)';

CREATE FUNCTION expansion_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_expansion_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expansion_mrr(revenue_state) IS 'sum of end - start over customers with end > start > 0 (exact, 6 decimals)';

CREATE FUNCTION contraction_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_contraction_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION contraction_mrr(revenue_state) IS 'sum of start - end over customers with 0 < end < start (exact, 6 decimals)';

CREATE FUNCTION churned_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_churned_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churned_mrr(revenue_state) IS 'starting MRR of the customers with none at end (exact, 6 decimals)';

CREATE FUNCTION ending_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_ending_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ending_mrr(revenue_state) IS
    'MRR at period end: starting + new + expansion - contraction - churned (exact, 6 decimals)';

CREATE AGGREGATE revenue_agg(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE revenue_agg(numeric, numeric) IS
    'builds a revenue_state from one row per customer (MRR at period start, MRR at period end); NULL for no rows';

CREATE AGGREGATE net_revenue_retention(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = net_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = net_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(numeric, numeric) IS
    'net revenue retention in percent from one row per customer (MRR at period start, at period end); NULL when no starting MRR';

CREATE AGGREGATE gross_revenue_retention(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = gross_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = gross_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(numeric, numeric) IS
    'gross revenue retention in percent from one row per customer (MRR at period start, at period end); NULL when no starting MRR';

-- The ledger form: one row per MRR movement ('starting', 'new', 'expansion',
-- 'contraction', 'churned'; 'churn' is accepted for 'churned').  Ledger
-- states (text form v1;ledger;rows=...) count movements, not customers.
CREATE FUNCTION revenue_movement_accum(revenue_state, text, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_movement_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_movement_accum(revenue_state, text, numeric) IS
    'revenue ledger transition: adds one MRR movement (movement, amount); a NULL movement or amount ignores the row';

CREATE FUNCTION revenue_movement_accum_inv(revenue_state, text, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_movement_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_movement_accum_inv(revenue_state, text, numeric) IS
    'revenue ledger inverse transition: removes one MRR movement (moving windows)';

CREATE AGGREGATE revenue_movements_agg(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE revenue_movements_agg(text, numeric) IS
    'builds a ledger revenue_state from one row per MRR movement (starting, new, expansion, contraction, churned; amount); NULL for no rows';

CREATE AGGREGATE net_revenue_retention(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = net_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = net_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(text, numeric) IS
    'net revenue retention in percent from one row per MRR movement (movement, amount); NULL when no starting MRR';

CREATE AGGREGATE gross_revenue_retention(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = gross_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = gross_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(text, numeric) IS
    'gross revenue retention in percent from one row per MRR movement (movement, amount); NULL when no starting MRR; below 0 when more is lost than started';

CREATE AGGREGATE rollup(revenue_state) (
    SFUNC = revenue_combine,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_combine,
    MINVFUNC = revenue_combine_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(revenue_state) IS
    'adds revenue_state values exactly (months to quarters, segments to totals, shards to the whole)';
