-----------------------------------------------------------------------------
-- Customer lifetime value: simple formulas, historical CLV, RFM summary
--
-- Rates and margins are fractions (0.3 = 30%), not percentages.
--   clv(aov, frequency, lifespan [, gross_margin]) = aov * frequency * lifespan [* gross_margin]
--   clv_from_churn(arpu, gross_margin, churn_rate) = arpu * gross_margin / churn_rate
--   clv_discounted(margin, retention_rate, discount_rate) = m r / (1 + i - r)
-- historical_clv(customer_id, amount, ts [, unit]) -> clv_summary
-- rfm_summary(ts, amount, observation_end [, period [, unit]]) -> rfm, one
-- customer per group, with the lifetimes / pymc-marketing definitions.
-----------------------------------------------------------------------------
CREATE FUNCTION clv(average_order_value double precision, purchase_frequency double precision,
                    lifespan double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(double precision, double precision, double precision) IS
    'simple customer lifetime value: average_order_value * purchase_frequency * lifespan (frequency per unit of time, lifespan in the same unit); arguments finite and >= 0';

CREATE FUNCTION clv(average_order_value double precision, purchase_frequency double precision,
                    lifespan double precision, gross_margin double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(double precision, double precision, double precision, double precision) IS
    'customer lifetime value in gross margin: average_order_value * purchase_frequency * lifespan * gross_margin; gross_margin a fraction from 0 to 1';

CREATE FUNCTION clv_from_churn(arpu double precision, gross_margin double precision,
                               churn_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv_from_churn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_from_churn(double precision, double precision, double precision) IS
    'customer lifetime value from churn: arpu * gross_margin / churn_rate; arpu (revenue per customer per period) >= 0, gross_margin a fraction from 0 to 1, churn_rate a fraction per period above 0 and at most 1 (not a percentage)';

CREATE FUNCTION clv_discounted(margin double precision, retention_rate double precision,
                               discount_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv_discounted'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_discounted(double precision, double precision, double precision) IS
    'discounted CLV with constant retention (Gupta & Lehmann): margin * r / (1 + i - r), the present value of margin per period earned at the end of each period a customer is retained (probability r per period) at discount rate i per period; margin >= 0, 0 <= r <= 1, i >= 0, r < 1 + i';

-- historical_clv -----------------------------------------------------------
CREATE TYPE clv_summary AS (
    customers           bigint,
    orders              bigint,
    revenue             double precision,
    average_order_value double precision,
    purchase_frequency  double precision,
    average_lifespan    double precision,
    customer_value      double precision,
    observed_span       double precision,
    purchase_rate       double precision,
    clv                 double precision
);
COMMENT ON TYPE clv_summary IS
    'result of historical_clv(): customers, orders (rows), revenue, average_order_value = revenue / orders, purchase_frequency = orders / customers, average_lifespan = mean over customers of (last - first purchase) in units, customer_value = revenue / customers, observed_span = (last - first ts overall) in units, purchase_rate = purchase_frequency / observed_span, clv = average_order_value * purchase_rate * average_lifespan';

CREATE FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz) IS
    'transition function of historical_clv(customer_id, amount, ts)';

CREATE FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz, interval) IS
    'transition function of historical_clv(customer_id, amount, ts, unit)';

CREATE FUNCTION clv_hist_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_combine(internal, internal) IS
    'combine function of historical_clv(): merges two partial states customer by customer';

CREATE FUNCTION clv_hist_serialize(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_clv_hist_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_serialize(internal) IS
    'serialize function of historical_clv(): partial state to bytea';

CREATE FUNCTION clv_hist_deserialize(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_deserialize(bytea, internal) IS
    'deserialize function of historical_clv(): bytea to partial state, validated';

CREATE FUNCTION clv_hist_final(internal)
    RETURNS clv_summary
    AS 'MODULE_PATHNAME', 'engage_clv_hist_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_final(internal) IS
    'final function of historical_clv(): the clv_summary row, NULL over no rows';

CREATE AGGREGATE historical_clv(customer_id bigint, amount double precision, ts timestamptz) (
    SFUNC = clv_hist_accum,
    STYPE = internal,
    FINALFUNC = clv_hist_final,
    COMBINEFUNC = clv_hist_combine,
    SERIALFUNC = clv_hist_serialize,
    DESERIALFUNC = clv_hist_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE historical_clv(bigint, double precision, timestamptz) IS
    'historical CLV over a transactions table (one row per order), times in days: a clv_summary row (average order value, purchase frequency, average lifespan, customer value, clv); rows with a NULL argument are ignored; NULL over no rows';

CREATE AGGREGATE historical_clv(customer_id bigint, amount double precision, ts timestamptz, unit interval) (
    SFUNC = clv_hist_accum,
    STYPE = internal,
    FINALFUNC = clv_hist_final,
    COMBINEFUNC = clv_hist_combine,
    SERIALFUNC = clv_hist_serialize,
    DESERIALFUNC = clv_hist_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE historical_clv(bigint, double precision, timestamptz, interval) IS
    'historical CLV over a transactions table (one row per order), times in the given unit (days and/or time, e.g. ''7 days''): a clv_summary row; rows with a NULL customer_id, amount or ts are ignored; NULL over no rows';

-- rfm_summary --------------------------------------------------------------
CREATE TYPE rfm AS (
    frequency      double precision,
    recency        double precision,
    t              double precision,
    monetary_value double precision
);
COMMENT ON TYPE rfm IS
    'RFM summary of one customer (lifetimes / pymc-marketing): frequency = distinct purchase periods - 1, recency = last - first period, t = observation end - first period (in units), monetary_value = mean amount of the repeat periods (0 when frequency = 0)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz) IS
    'transition function of rfm_summary(ts, amount, observation_end)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text) IS
    'transition function of rfm_summary(ts, amount, observation_end, period)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text, interval) IS
    'transition function of rfm_summary(ts, amount, observation_end, period, unit)';

CREATE FUNCTION rfm_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_combine(internal, internal) IS
    'combine function of rfm_summary(): merges the purchase periods of two partial states';

CREATE FUNCTION rfm_serialize(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_rfm_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_serialize(internal) IS
    'serialize function of rfm_summary(): partial state to bytea';

CREATE FUNCTION rfm_deserialize(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_deserialize(bytea, internal) IS
    'deserialize function of rfm_summary(): bytea to partial state, validated';

CREATE FUNCTION rfm_final(internal)
    RETURNS rfm
    AS 'MODULE_PATHNAME', 'engage_rfm_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_final(internal) IS
    'final function of rfm_summary(): the rfm row, NULL when no purchase is on or before observation_end';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz) IS
    'RFM summary of one customer''s transactions (use with GROUP BY customer), day periods in the session time zone, times in days; purchases after observation_end''s day are ignored; NULL when there is none before';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz,
                             period text) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz, text) IS
    'RFM summary of one customer''s transactions with purchases merged per period (''hour'', ''day'', ''week'', ''month'', ''quarter'', ''year'', in the session time zone), times in days';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz,
                             period text, unit interval) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz, text, interval) IS
    'RFM summary of one customer''s transactions with purchases merged per period, recency and t in the given unit (e.g. ''7 days'' for weeks, or ''1 month'' with month, quarter or year periods)';
