-----------------------------------------------------------------------------
-- Rates (issue 5): one proportion state behind conversion rate, CTR, the email
-- rates, social engagement and event registration/attendance.
-- proportion_state counts successes of trials exactly (int64).  Text form
-- v1:SUCCESSES/TRIALS (successes <= trials), or v1:ratio:COUNT/BASE for the
-- engagement ratio, whose count may exceed its base.
-----------------------------------------------------------------------------
CREATE TYPE proportion_state;

CREATE FUNCTION proportion_state_in(cstring) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_in(cstring) IS 'text input of proportion_state';

CREATE FUNCTION proportion_state_out(proportion_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_prop_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_out(proportion_state) IS 'text output of proportion_state (exact counts)';

CREATE FUNCTION proportion_state_recv(internal) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_recv(internal) IS 'binary input of proportion_state, validated like the text input';

CREATE FUNCTION proportion_state_send(proportion_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_prop_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_send(proportion_state) IS 'binary output of proportion_state';

CREATE TYPE proportion_state (
    INPUT = proportion_state_in,
    OUTPUT = proportion_state_out,
    RECEIVE = proportion_state_recv,
    SEND = proportion_state_send,
    INTERNALLENGTH = 24,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE proportion_state IS
    'rate state: successes of trials (or a count per base for engagement), exact, rolls up from days to months and shards to totals';

CREATE FUNCTION proportion_state_to_jsonb(proportion_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_prop_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_to_jsonb(proportion_state) IS
    'proportion_state as jsonb: version, kind, successes, trials and the rate in percent';

CREATE CAST (proportion_state AS jsonb) WITH FUNCTION proportion_state_to_jsonb(proportion_state);
COMMENT ON CAST (proportion_state AS jsonb) IS 'proportion_state as a jsonb object';

CREATE FUNCTION proportion_state_eq(proportion_state, proportion_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_prop_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_eq(proportion_state, proportion_state) IS
    'true when two proportion_state values have the same kind, successes and trials';

CREATE FUNCTION proportion_state_ne(proportion_state, proportion_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_prop_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_ne(proportion_state, proportion_state) IS
    'true when two proportion_state values differ in kind, successes or trials';

CREATE FUNCTION proportion_state_hash(proportion_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_prop_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_hash(proportion_state) IS 'hash of a proportion_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = proportion_state, RIGHTARG = proportion_state, FUNCTION = proportion_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (proportion_state, proportion_state) IS 'same kind, successes and trials';

CREATE OPERATOR <> (
    LEFTARG = proportion_state, RIGHTARG = proportion_state, FUNCTION = proportion_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (proportion_state, proportion_state) IS 'different kind, successes or trials';

CREATE OPERATOR CLASS proportion_state_hash_ops DEFAULT FOR TYPE proportion_state USING hash AS
    OPERATOR 1 = (proportion_state, proportion_state),
    FUNCTION 1 proportion_state_hash(proportion_state);
COMMENT ON OPERATOR CLASS proportion_state_hash_ops USING hash IS
    'hashing of proportion_state for DISTINCT, UNION and hash joins';
COMMENT ON OPERATOR FAMILY proportion_state_hash_ops USING hash IS 'the hash operator family of proportion_state';

-- Combine, final functions and the accessors.
CREATE FUNCTION proportion_combine(proportion_state, proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_combine(proportion_state, proportion_state) IS
    'adds two proportion_state values (combine and rollup transition)';

CREATE FUNCTION proportion_combine_inv(proportion_state, proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_combine_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_combine_inv(proportion_state, proportion_state) IS
    'removes a proportion_state from a running rollup (moving windows)';

CREATE FUNCTION proportion_state_final(proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_final(proportion_state) IS
    'final function of the proportion_state-building aggregates: NULL for 0 of 0';

CREATE FUNCTION rate(state proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate(proportion_state) IS
    'the rate in percent: 100 * successes / trials; NULL for 0 trials (also the final function of the one-call rates)';

CREATE FUNCTION successes(state proportion_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_prop_successes'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION successes(proportion_state) IS 'successes (conversions, clicks, opens, interactions ...) in the state';

CREATE FUNCTION trials(state proportion_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_prop_trials'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION trials(proportion_state) IS 'trials, the denominator (visitors, impressions, delivered messages, base ...)';

CREATE FUNCTION rate_lower(state proportion_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate_lower(proportion_state, double precision) IS
    'lower end of the Wilson score interval for the rate, in percent; NULL for 0 trials';

CREATE FUNCTION rate_upper(state proportion_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate_upper(proportion_state, double precision) IS
    'upper end of the Wilson score interval for the rate, in percent; NULL for 0 trials';

CREATE FUNCTION ab_z(a proportion_state, b proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ab_z'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_z(proportion_state, proportion_state) IS
    'pooled two-proportion z statistic of rate(a) - rate(b); NULL when either has 0 trials';

CREATE FUNCTION ab_test(a proportion_state, b proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ab_test'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_test(proportion_state, proportion_state) IS
    'two-sided p-value of the pooled two-proportion z test that the rates of a and b differ';

CREATE FUNCTION ab_sample_size(baseline_rate double precision, minimum_detectable_effect double precision,
                               alpha double precision DEFAULT 0.05, power double precision DEFAULT 0.8)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_ab_sample_size'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_sample_size(double precision, double precision, double precision, double precision) IS
    'customers per arm for a two-sided two-proportion z test: baseline rate in percent, effect in percentage points';

CREATE AGGREGATE rollup(proportion_state) (
    SFUNC = proportion_combine,
    STYPE = proportion_state,
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_combine,
    MINVFUNC = proportion_combine_inv,
    MSTYPE = proportion_state,
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(proportion_state) IS
    'adds proportion_state values exactly (days to months, segments to totals, shards to the whole)';

-- One flag per row: the rows are the trials (NULL flags are skipped).

CREATE FUNCTION proportion_accum(proportion_state, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_bool'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_accum(proportion_state, boolean) IS 'rate transition: adds one row, a success when true';

CREATE FUNCTION proportion_accum_inv(proportion_state, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_inv_bool'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_accum_inv(proportion_state, boolean) IS 'rate inverse transition: removes one row (moving windows)';

CREATE AGGREGATE conversion_rate(converted boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(boolean) IS 'conversion rate: converted rows / rows (e.g. sessions or visitors) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(converted boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(boolean) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE open_rate(opened boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(boolean) IS 'email open rate: opened / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opened boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(boolean) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE click_rate(clicked boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(boolean) IS 'email click rate: clicked / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicked boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(boolean) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE unsubscribe_rate(unsubscribed boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(boolean) IS 'email unsubscribe rate: unsubscribed / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribed boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(boolean) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE registration_rate(registered boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(boolean) IS 'event registration rate: registered / rows (invitees or landing-page visitors) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registered boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(boolean) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE attendance_rate(attended boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(boolean) IS 'event attendance rate: attended / rows, the rows being the registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attended boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(boolean) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

-- Click-to-open from two flags: a message clicked or opened is a trial (a
-- click implies an open), a click a success.

CREATE FUNCTION click_to_open_accum(proportion_state, boolean, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_cto'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, boolean, boolean) IS 'click-to-open transition: a clicked or opened message is a trial, a click a success';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, boolean, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_inv_cto'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, boolean, boolean) IS 'click-to-open inverse transition (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicked boolean, opened boolean) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(boolean, boolean) IS 'email click-to-open rate: clicked / (clicked or opened) messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicked boolean, opened boolean) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(boolean, boolean) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

-- Summed counts per row: 100 * sum(count) / sum(denominator); a row with a
-- NULL is skipped; a negative count is 22003, count > denominator 22023.

CREATE FUNCTION ctr_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum(proportion_state, bigint, bigint) IS 'transition of ctr(clicks, impressions): adds one row of counts';

CREATE FUNCTION ctr_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of ctr(clicks, impressions) (moving windows)';

CREATE AGGREGATE ctr(clicks bigint, impressions bigint) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr(bigint, bigint) IS 'click-through rate: summed clicks / summed impressions in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE ctr_agg(clicks bigint, impressions bigint) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr_agg(bigint, bigint) IS 'builds the proportion_state of ctr() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION conversion_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum(proportion_state, bigint, bigint) IS 'transition of conversion_rate(conversions, visitors): adds one row of counts';

CREATE FUNCTION conversion_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of conversion_rate(conversions, visitors) (moving windows)';

CREATE AGGREGATE conversion_rate(conversions bigint, visitors bigint) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(bigint, bigint) IS 'conversion rate: summed conversions / summed visitors in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(conversions bigint, visitors bigint) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(bigint, bigint) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION open_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum(proportion_state, bigint, bigint) IS 'transition of open_rate(opens, delivered): adds one row of counts';

CREATE FUNCTION open_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of open_rate(opens, delivered) (moving windows)';

CREATE AGGREGATE open_rate(opens bigint, delivered bigint) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(bigint, bigint) IS 'email open rate: summed unique opens / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opens bigint, delivered bigint) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(bigint, bigint) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum(proportion_state, bigint, bigint) IS 'transition of click_rate(clicks, delivered): adds one row of counts';

CREATE FUNCTION click_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of click_rate(clicks, delivered) (moving windows)';

CREATE AGGREGATE click_rate(clicks bigint, delivered bigint) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(bigint, bigint) IS 'email click rate: summed unique clicks / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicks bigint, delivered bigint) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(bigint, bigint) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_to_open_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, bigint, bigint) IS 'transition of click_to_open_rate(clicks, opens): adds one row of counts';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of click_to_open_rate(clicks, opens) (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicks bigint, opens bigint) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(bigint, bigint) IS 'email click-to-open rate: summed unique clicks / summed unique opens in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicks bigint, opens bigint) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(bigint, bigint) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION unsubscribe_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum(proportion_state, bigint, bigint) IS 'transition of unsubscribe_rate(unsubscribes, delivered): adds one row of counts';

CREATE FUNCTION unsubscribe_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of unsubscribe_rate(unsubscribes, delivered) (moving windows)';

CREATE AGGREGATE unsubscribe_rate(unsubscribes bigint, delivered bigint) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(bigint, bigint) IS 'email unsubscribe rate: summed unsubscribes / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribes bigint, delivered bigint) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(bigint, bigint) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION registration_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum(proportion_state, bigint, bigint) IS 'transition of registration_rate(registrations, visitors): adds one row of counts';

CREATE FUNCTION registration_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of registration_rate(registrations, visitors) (moving windows)';

CREATE AGGREGATE registration_rate(registrations bigint, visitors bigint) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(bigint, bigint) IS 'event registration rate: summed registrations / summed visitors (or invitees) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registrations bigint, visitors bigint) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(bigint, bigint) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION attendance_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum(proportion_state, bigint, bigint) IS 'transition of attendance_rate(attendees, registrants): adds one row of counts';

CREATE FUNCTION attendance_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of attendance_rate(attendees, registrants) (moving windows)';

CREATE AGGREGATE attendance_rate(attendees bigint, registrants bigint) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(bigint, bigint) IS 'event attendance rate: summed attendees / summed registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attendees bigint, registrants bigint) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(bigint, bigint) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION engagement_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum(proportion_state, bigint, bigint) IS 'transition of engagement_rate(interactions, base): adds one row of counts';

CREATE FUNCTION engagement_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of engagement_rate(interactions, base) (moving windows)';

CREATE AGGREGATE engagement_rate(interactions bigint, base bigint) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_rate(bigint, bigint) IS 'social engagement rate: summed interactions / summed base (followers, reach or impressions), may exceed 100 in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE engagement_agg(interactions bigint, base bigint) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_agg(bigint, bigint) IS 'builds the proportion_state of engagement_rate() for rollup() and the accessors; NULL for no rows';

-- The same for integer counts, so integer columns need no per-row cast to bigint.

CREATE FUNCTION ctr_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum(proportion_state, integer, integer) IS 'transition of ctr(clicks, impressions) for integer counts';

CREATE FUNCTION ctr_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum_inv(proportion_state, integer, integer) IS 'inverse transition of ctr(clicks, impressions) for integer counts (moving windows)';

CREATE AGGREGATE ctr(clicks integer, impressions integer) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr(integer, integer) IS 'click-through rate: summed clicks / summed impressions in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE ctr_agg(clicks integer, impressions integer) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr_agg(integer, integer) IS 'builds the proportion_state of ctr() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION conversion_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum(proportion_state, integer, integer) IS 'transition of conversion_rate(conversions, visitors) for integer counts';

CREATE FUNCTION conversion_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum_inv(proportion_state, integer, integer) IS 'inverse transition of conversion_rate(conversions, visitors) for integer counts (moving windows)';

CREATE AGGREGATE conversion_rate(conversions integer, visitors integer) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(integer, integer) IS 'conversion rate: summed conversions / summed visitors in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(conversions integer, visitors integer) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(integer, integer) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION open_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum(proportion_state, integer, integer) IS 'transition of open_rate(opens, delivered) for integer counts';

CREATE FUNCTION open_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum_inv(proportion_state, integer, integer) IS 'inverse transition of open_rate(opens, delivered) for integer counts (moving windows)';

CREATE AGGREGATE open_rate(opens integer, delivered integer) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(integer, integer) IS 'email open rate: summed unique opens / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opens integer, delivered integer) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(integer, integer) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum(proportion_state, integer, integer) IS 'transition of click_rate(clicks, delivered) for integer counts';

CREATE FUNCTION click_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum_inv(proportion_state, integer, integer) IS 'inverse transition of click_rate(clicks, delivered) for integer counts (moving windows)';

CREATE AGGREGATE click_rate(clicks integer, delivered integer) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(integer, integer) IS 'email click rate: summed unique clicks / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicks integer, delivered integer) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(integer, integer) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_to_open_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, integer, integer) IS 'transition of click_to_open_rate(clicks, opens) for integer counts';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, integer, integer) IS 'inverse transition of click_to_open_rate(clicks, opens) for integer counts (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicks integer, opens integer) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(integer, integer) IS 'email click-to-open rate: summed unique clicks / summed unique opens in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicks integer, opens integer) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(integer, integer) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION unsubscribe_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum(proportion_state, integer, integer) IS 'transition of unsubscribe_rate(unsubscribes, delivered) for integer counts';

CREATE FUNCTION unsubscribe_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum_inv(proportion_state, integer, integer) IS 'inverse transition of unsubscribe_rate(unsubscribes, delivered) for integer counts (moving windows)';

CREATE AGGREGATE unsubscribe_rate(unsubscribes integer, delivered integer) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(integer, integer) IS 'email unsubscribe rate: summed unsubscribes / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribes integer, delivered integer) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(integer, integer) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION registration_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum(proportion_state, integer, integer) IS 'transition of registration_rate(registrations, visitors) for integer counts';

CREATE FUNCTION registration_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum_inv(proportion_state, integer, integer) IS 'inverse transition of registration_rate(registrations, visitors) for integer counts (moving windows)';

CREATE AGGREGATE registration_rate(registrations integer, visitors integer) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(integer, integer) IS 'event registration rate: summed registrations / summed visitors (or invitees) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registrations integer, visitors integer) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(integer, integer) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION attendance_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum(proportion_state, integer, integer) IS 'transition of attendance_rate(attendees, registrants) for integer counts';

CREATE FUNCTION attendance_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum_inv(proportion_state, integer, integer) IS 'inverse transition of attendance_rate(attendees, registrants) for integer counts (moving windows)';

CREATE AGGREGATE attendance_rate(attendees integer, registrants integer) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(integer, integer) IS 'event attendance rate: summed attendees / summed registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attendees integer, registrants integer) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(integer, integer) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION engagement_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum(proportion_state, integer, integer) IS 'transition of engagement_rate(interactions, base) for integer counts';

CREATE FUNCTION engagement_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum_inv(proportion_state, integer, integer) IS 'inverse transition of engagement_rate(interactions, base) for integer counts (moving windows)';

CREATE AGGREGATE engagement_rate(interactions integer, base integer) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_rate(integer, integer) IS 'social engagement rate: summed interactions / summed base (followers, reach or impressions), may exceed 100 in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE engagement_agg(interactions integer, base integer) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_agg(integer, integer) IS 'builds the proportion_state of engagement_rate() for rollup() and the accessors; NULL for no rows';
