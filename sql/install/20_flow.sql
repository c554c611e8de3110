-----------------------------------------------------------------------------
-- Customer flow: churn and retention
--
-- From counts: churn_rate(start, lost) = 100 lost / start;
-- retention_rate(start, end, new) = 100 (end - new) / start.
--
-- From a subscription table, a subscription being active on
-- [started_at, ended_at) (ended_at NULL = still active), for the period
-- [period_start, period_end):
--   S  = at start: started_at < period_start AND (ended_at IS NULL OR ended_at >= period_start)
--   N  = new:      period_start <= started_at < period_end
--   L  = lost:     in S and period_start <= ended_at < period_end
--   NL = new lost: in N and ended_at < period_end
--   E  = at end:   started_at < period_end AND (ended_at IS NULL OR ended_at >= period_end)
--                  (E = S - L + N - NL)
-- churn_rate = 100 L / S; retention_rate = 100 (E - N) / S (classic);
-- retention_rate_excluding_new = 100 (S - L) / S (customers who join inside
-- the period are left out of both sides, ChartMogul style).
-- The state is bigint[] {period_start, period_end, S, N, L, NL} (period bounds
-- as timestamptz microseconds).
-----------------------------------------------------------------------------
CREATE FUNCTION churn_rate(customers_start bigint, customers_lost bigint) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_churn_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(bigint, bigint) IS
    'customer churn in percent: 100 * customers_lost / customers_start; NULL when customers_start is 0';

CREATE FUNCTION retention_rate(customers_start bigint, customers_end bigint, customers_new bigint)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_retention_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate(bigint, bigint, bigint) IS
    'customer retention in percent: 100 * (customers_end - customers_new) / customers_start; NULL when customers_start is 0';

CREATE FUNCTION flow_accum(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_accum(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) IS
    'churn/retention transition: counts one subscription (started_at, ended_at) against the period [period_start, period_end); NULL started_at is ignored';

CREATE FUNCTION flow_accum_inv(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_accum_inv(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) IS
    'churn/retention inverse transition: removes one subscription (moving windows)';

CREATE FUNCTION flow_combine(bigint[], bigint[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_combine(bigint[], bigint[]) IS
    'adds two churn/retention states of the same period (parallel combine)';

CREATE FUNCTION churn_rate_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_churn_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate_final(bigint[]) IS
    'final function of the churn_rate aggregate: 100 * L / S, NULL when S is 0';

CREATE FUNCTION retention_rate_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_retention_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate_final(bigint[]) IS
    'final function of the retention_rate aggregate: 100 * (E - N) / S, NULL when S is 0';

CREATE FUNCTION retention_rate_excluding_new_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_retention_excl_new_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate_excluding_new_final(bigint[]) IS
    'final function of the retention_rate_excluding_new aggregate: 100 * (S - L) / S, NULL when S is 0';

CREATE AGGREGATE churn_rate(started_at timestamptz, ended_at timestamptz,
                            period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = churn_rate_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = churn_rate_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE churn_rate(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'percent of the customers active at period_start whose subscription ended in [period_start, period_end); NULL when none were active';

CREATE AGGREGATE retention_rate(started_at timestamptz, ended_at timestamptz,
                                period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = retention_rate_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = retention_rate_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'classic retention in percent: 100 * (customers at period_end - new customers) / customers at period_start; new customers lost inside the period count against it (can go below 0); NULL when none were active at period_start';

CREATE AGGREGATE retention_rate_excluding_new(started_at timestamptz, ended_at timestamptz,
                                              period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = retention_rate_excluding_new_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = retention_rate_excluding_new_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate_excluding_new(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'ChartMogul-style retention in percent: 100 * (customers at period_start still active at period_end) / customers at period_start = 100 - churn_rate; customers who join inside the period are left out; NULL when none were active at period_start';
