
-----------------------------------------------------------------------------
-- Customer-base models: BG/NBD (purchases and dropout) and Gamma-Gamma
-- (spend per transaction), fitted by maximum likelihood in the database.
--
-- A customer is summarised as frequency x (repeat purchases), recency t_x
-- (time from the first to the last purchase) and t = T (time from the first
-- purchase to the end of observation), in one time unit of your choice
-- (weeks in the CDNOW literature), and monetary_value (mean value of the
-- repeat purchases).  Model values store their parameters, the number of
-- customers fitted and the log-likelihood; text form
--   v1:r=...,alpha=...,a=...,b=...,customers=N,log_likelihood=...
--   v1:p=...,q=...,v=...,customers=N,log_likelihood=...
-- (customers and log_likelihood may be left out of a literal: 0 and NaN).
-----------------------------------------------------------------------------
CREATE TYPE bgnbd;

CREATE FUNCTION bgnbd_in(cstring) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_in(cstring) IS 'text input of bgnbd';

CREATE FUNCTION bgnbd_out(bgnbd) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_bgnbd_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_out(bgnbd) IS 'text output of bgnbd (shortest round-trip floats)';

CREATE FUNCTION bgnbd_recv(internal) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_recv(internal) IS 'binary input of bgnbd, validated like the text input';

CREATE FUNCTION bgnbd_send(bgnbd) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_bgnbd_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_send(bgnbd) IS 'binary output of bgnbd';

CREATE TYPE bgnbd (
    INPUT = bgnbd_in,
    OUTPUT = bgnbd_out,
    RECEIVE = bgnbd_recv,
    SEND = bgnbd_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE bgnbd IS 'a BG/NBD model (Fader, Hardie & Lee 2005): r, alpha, a, b, customers fitted, log-likelihood';

CREATE FUNCTION bgnbd_to_jsonb(bgnbd) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_bgnbd_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_to_jsonb(bgnbd) IS 'bgnbd as jsonb: model, version, r, alpha, a, b, customers, log_likelihood (null when unknown)';

CREATE CAST (bgnbd AS jsonb) WITH FUNCTION bgnbd_to_jsonb(bgnbd);
COMMENT ON CAST (bgnbd AS jsonb) IS 'bgnbd as a jsonb object';

CREATE FUNCTION bgnbd(r double precision, alpha double precision, a double precision, b double precision)
    RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd(double precision, double precision, double precision, double precision) IS
    'a BG/NBD model from known parameters (all finite and > 0); customers 0, log-likelihood unknown';

CREATE FUNCTION bgnbd_fit_accum(internal, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_accum(internal, double precision, double precision, double precision) IS
    'bgnbd_fit transition: counts one customer''s (frequency, recency, t) pattern; rows with a NULL are ignored';

CREATE FUNCTION bgnbd_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_combine(internal, internal) IS 'bgnbd_fit combine: adds the pattern weights of two partial states';

CREATE FUNCTION bgnbd_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_serialize(internal) IS 'bgnbd_fit: serializes a partial state for parallel aggregation';

CREATE FUNCTION bgnbd_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_deserialize(bytea, internal) IS 'bgnbd_fit: deserializes a partial state, checking every length and pattern';

CREATE FUNCTION bgnbd_fit_final(internal) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_final(internal) IS 'bgnbd_fit final: the maximum-likelihood BG/NBD model (BFGS on log-parameters)';

CREATE AGGREGATE bgnbd_fit(frequency double precision, recency double precision, t double precision) (
    SFUNC = bgnbd_fit_accum,
    STYPE = internal,
    FINALFUNC = bgnbd_fit_final,
    COMBINEFUNC = bgnbd_fit_combine,
    SERIALFUNC = bgnbd_fit_serialize,
    DESERIALFUNC = bgnbd_fit_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE bgnbd_fit(double precision, double precision, double precision) IS
    'fits a BG/NBD model by maximum likelihood to one row per customer (frequency, recency, t); NULL for no rows; error when the data has no interior maximum (fewer than 2 customers, no repeat purchases)';

CREATE FUNCTION p_alive(model bgnbd, frequency double precision, recency double precision, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION p_alive(bgnbd, double precision, double precision, double precision) IS
    'probability that a customer with this history is still alive at the end of observation (1 when frequency is 0)';

CREATE FUNCTION expected_purchases(model bgnbd, horizon double precision, frequency double precision,
                                   recency double precision, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_expected'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_purchases(bgnbd, double precision, double precision, double precision, double precision) IS
    'expected purchases in the next horizon time units of a customer with this history (Fader, Hardie & Lee 2005, eq. 10)';

CREATE FUNCTION expected_purchases(model bgnbd, horizon double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_expected_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_purchases(bgnbd, double precision) IS
    'expected repeat purchases of a new customer in her first horizon time units (Fader, Hardie & Lee 2005, eq. 9)';

-----------------------------------------------------------------------------
-- gammagamma: spend per transaction
-----------------------------------------------------------------------------
CREATE TYPE gammagamma;

CREATE FUNCTION gammagamma_in(cstring) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_in(cstring) IS 'text input of gammagamma';

CREATE FUNCTION gammagamma_out(gammagamma) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_gammagamma_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_out(gammagamma) IS 'text output of gammagamma (shortest round-trip floats)';

CREATE FUNCTION gammagamma_recv(internal) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_recv(internal) IS 'binary input of gammagamma, validated like the text input';

CREATE FUNCTION gammagamma_send(gammagamma) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_gammagamma_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_send(gammagamma) IS 'binary output of gammagamma';

CREATE TYPE gammagamma (
    INPUT = gammagamma_in,
    OUTPUT = gammagamma_out,
    RECEIVE = gammagamma_recv,
    SEND = gammagamma_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE gammagamma IS 'a Gamma-Gamma spend model: p, q, v, repeat customers fitted, log-likelihood';

CREATE FUNCTION gammagamma_to_jsonb(gammagamma) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_gammagamma_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_to_jsonb(gammagamma) IS 'gammagamma as jsonb: model, version, p, q, v, customers, log_likelihood (null when unknown)';

CREATE CAST (gammagamma AS jsonb) WITH FUNCTION gammagamma_to_jsonb(gammagamma);
COMMENT ON CAST (gammagamma AS jsonb) IS 'gammagamma as a jsonb object';

CREATE FUNCTION gammagamma(p double precision, q double precision, v double precision) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma(double precision, double precision, double precision) IS
    'a Gamma-Gamma model from known parameters (all finite and > 0); customers 0, log-likelihood unknown';

CREATE FUNCTION gammagamma_fit_accum(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_accum(internal, double precision, double precision) IS
    'gammagamma_fit transition: counts one repeat customer''s (frequency, monetary_value); frequency 0 and NULL rows are ignored';

CREATE FUNCTION gammagamma_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_combine(internal, internal) IS 'gammagamma_fit combine: adds the pattern weights of two partial states';

CREATE FUNCTION gammagamma_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_serialize(internal) IS 'gammagamma_fit: serializes a partial state for parallel aggregation';

CREATE FUNCTION gammagamma_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_deserialize(bytea, internal) IS 'gammagamma_fit: deserializes a partial state, checking every length and pattern';

CREATE FUNCTION gammagamma_fit_final(internal) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_final(internal) IS 'gammagamma_fit final: the maximum-likelihood Gamma-Gamma model (BFGS on log-parameters)';

CREATE AGGREGATE gammagamma_fit(frequency double precision, monetary_value double precision) (
    SFUNC = gammagamma_fit_accum,
    STYPE = internal,
    FINALFUNC = gammagamma_fit_final,
    COMBINEFUNC = gammagamma_fit_combine,
    SERIALFUNC = gammagamma_fit_serialize,
    DESERIALFUNC = gammagamma_fit_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gammagamma_fit(double precision, double precision) IS
    'fits a Gamma-Gamma spend model to the repeat customers (frequency > 0; others are ignored); NULL when there are none; error when fewer than 2 or no interior maximum';

CREATE FUNCTION expected_avg_value(model gammagamma, frequency double precision, monetary_value double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_gammagamma_expected'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_avg_value(gammagamma, double precision, double precision) IS
    'expected mean transaction value of a customer: p (v + frequency * monetary_value) / (p frequency + q - 1); the population mean p v / (q - 1) at frequency 0';

CREATE FUNCTION clv(bgnbd bgnbd, gammagamma gammagamma, frequency double precision, recency double precision,
                    t double precision, monetary_value double precision, horizon_months integer,
                    discount_rate_monthly double precision DEFAULT 0.01,
                    time_unit_days double precision DEFAULT 7)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(bgnbd, gammagamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS
    'discounted customer lifetime value over horizon_months (lifetimes method): sum over months k of expected_avg_value * expected purchases in month k / (1 + discount_rate_monthly)^k; a month is 30.4375 / time_unit_days time units';
