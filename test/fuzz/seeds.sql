-- Values of every state type built by a real server, for test/fuzz/make_corpus.py:
-- one row per value: type, text form, send() bytes in hex (tab-separated).
\ir values.sql
\pset format unaligned
\pset fieldsep '\t'
\pset tuples_only on
SELECT typ, val, encode(bin, 'hex') FROM v WHERE val IS NOT NULL ORDER BY 1, 2;
