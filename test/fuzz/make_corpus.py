#!/usr/bin/env python3
"""Regenerate the seed corpus test/fuzz/corpus/ (a development tool; the test
command only reads the corpus kept in the repository).

Seeds, one file each: byte 0 = the harness target (fuzz_io.c: 0..11 text
input, 12..23 receive, 24..35 deserialize), then the payload.
- text and binary forms of values built by a real server (test/fuzz/seeds.sql,
  run with psql on the cluster of PGHOST/PGPORT, engage installed);
- every 'literal'::state_type of the regression and pgTAP tests, valid or not;
- serialized aggregate states, packed here by hand from the formats in src/
  (two of them reuse a server's send() bytes, which share their payload).
Files named NN-regress-* are the inputs of bugs the fuzzer found; they are kept.

Usage: PGHOST=... PGPORT=... test/fuzz/make_corpus.py
"""
import hashlib
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

# Same order as types[] and serials[] in fuzz_io.c.
TYPES = ["nps_state", "csat_state", "ces_state", "flow_state", "revenue_state",
         "activity_state", "bgnbd", "gammagamma", "proportion_state",
         "session_state", "funnel_state", "resolution_state"]
SERIALS = ["flow_series", "activity", "clv_hist", "rfm", "bgnbd_fit",
           "gammagamma_fit", "sessionize", "page_stats", "funnel",
           "funnel_rollup", "funnel_keyed", "resolution"]
TEXT, RECV, DESER = 0, len(TYPES), 2 * len(TYPES)

USECS_PER_DAY = 86400 * 1000000
DAY_2024_01_01 = 8766           # days from 2000-01-01


def seed(target, payload, tag):
    """Write one seed file (named by its kind and a hash of its content)."""
    data = bytes([target]) + payload
    name = "%02d-%s" % (target, hashlib.sha1(data).hexdigest()[:12])
    with open(os.path.join(CORPUS, name), "wb") as f:
        f.write(data)


def psql_rows(sql_file):
    """Rows (type, text, send hex) printed by psql for seeds.sql."""
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", sql_file],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] in TYPES:
            rows.append(parts)
    return rows


def test_literals():
    """(type, literal) of every 'literal'::type in the SQL tests."""
    found = set()
    pat = re.compile(r"'((?:[^']|'')*)'::(?:engage\.)?(%s)\b" % "|".join(TYPES))
    for d in ("sql", "test/pgtap"):
        for fn in sorted(os.listdir(os.path.join(REPO, d))):
            if fn.endswith(".sql") and not fn.startswith("engage--"):
                with open(os.path.join(REPO, d, fn), encoding="utf-8") as f:
                    for m in pat.finditer(f.read()):
                        found.add((m.group(2), m.group(1).replace("''", "'")))
    return sorted(found)


def be(fmt, *v):
    return struct.pack(">" + fmt, *v)


def serial_seeds():
    """Hand-packed serialized states, valid per the checks in src/."""
    s = {}
    day = USECS_PER_DAY
    t0 = DAY_2024_01_01 * day
    # flow_series: periods, step (months, days, us), s0, bounds, (N, L, NL) per period
    s["flow_series"] = [
        be("iiiqq", 2, 1, 0, 0, 5) + be("qqq", t0, t0 + 31 * day, t0 + 60 * day) + be("qqqqqq", 3, 1, 0, 2, 2, 1),
        be("iiiqq", 1, 0, 0, 3600 * 1000000, 0) + be("qq", t0, t0 + 3600 * 1000000) + be("qqq", 0, 0, 0),
    ]
    # activity: the state itself, native (little-endian) order, after the varlena header
    s["activity"] = [
        struct.pack("<hhiiii", 1, 0, DAY_2024_01_01, 10, 2, 0) + struct.pack("<qq", -5, 7) + bytes([0x01, 0x02, 0x10, 0x02]),
        struct.pack("<hhiiii", 1, 0, 0, 1, 1, 0) + struct.pack("<q", 42) + bytes([0x01]),
    ]
    # clv_hist: version, unit, orders, revenue, compensation, min/max ts, customers, (id, first, last)
    s["clv_hist"] = [
        be("iqqddqqi", 1, day, 3, 30.5, 0.0, t0, t0 + 10 * day, 2) + be("qqq", 1, t0, t0 + 10 * day) + be("qqq", -9, t0 + day, t0 + day),
        be("iqqddqqi", 1, 7 * day, 0, 0.0, 0.0, t0, t0, 0),
    ]
    # rfm: version, observation_end, its period start, period (day), unit months/us, n, (key, amount)
    s["rfm"] = [
        be("iqqiiqi", 1, t0 + 12345, t0, 2, 0, day, 2) + be("qd", t0 - 30 * day, 12.5) + be("qd", t0, 7.25),
        be("iqqiiqi", 1, t0, t0, 1, 0, 3600 * 1000000, 0),
    ]
    # model fits: version, kind, key count, patterns, customers, (keys..., weight)
    s["bgnbd_fit"] = [
        be("iiiqq", 1, 1, 3, 2, 5) + be("dddq", 0.0, 0.0, 30.0, 3) + be("dddq", 2.0, 20.0, 30.0, 2),
    ]
    s["gammagamma_fit"] = [
        be("iiiqq", 1, 2, 2, 2, 3) + be("ddq", 1.0, 10.0, 1) + be("ddq", 3.0, 25.5, 2),
    ]
    # sessionize: version, gap, stride (1 ts, 2 user+ts), n, values
    s["sessionize"] = [
        be("iqii", 1, 1800 * 1000000, 1, 3) + be("qqq", t0, t0 + 60 * 1000000, t0 + 7200 * 1000000),
        be("iqii", 1, 600 * 1000000, 2, 2) + be("qqqq", 1, t0, 2, t0 + 5),
    ]
    # page_stats: version, gap, n, (ts, length, page)
    s["page_stats"] = [
        be("iqi", 1, 1800 * 1000000, 2) + be("qi", t0, 4) + b"home" + be("qi", t0 + 1000000, 5) + b"caf\xc3\xa9",
    ]
    # funnel: version, window, mode (1 by step, 2 fixed steps, 3 conditions), steps, n, (ts, step)
    s["funnel"] = [
        be("hqiii", 1, day, 1, 2, 2) + be("qi", t0, 1) + be("qi", t0 + 60, 2),
        be("hqiii", 1, 3600 * 1000000, 2, 4, 1) + be("qi", t0, 1),
        be("hqiii", 1, 0, 3, 3, 0),
    ]
    # funnel_keyed: version, window, mode, steps, users, n, (uid, count) per user, then the events
    s["funnel_keyed"] = [
        be("hqiiii", 1, day, 1, 2, 2, 3) + be("qi", 7, 2) + be("qi", -1, 1)
        + be("qi", t0, 1) + be("qi", t0 + 5, 2) + be("qi", t0, 1),
    ]
    return s


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for fn in os.listdir(CORPUS):
        if "-regress-" not in fn:       # the inputs of fixed bugs stay
            os.remove(os.path.join(CORPUS, fn))
    rows = psql_rows(os.path.join(HERE, "seeds.sql"))
    sends = {}
    for typ, text, hexbin in rows:
        i = TYPES.index(typ)
        b = bytes.fromhex(hexbin)
        seed(TEXT + i, text.encode(), "text")
        seed(RECV + i, b, "recv")
        sends.setdefault(typ, []).append(b)
    for typ, lit in test_literals():
        seed(TEXT + TYPES.index(typ), lit.encode(), "test literal")
    ser = serial_seeds()
    # rollup(funnel_state) serializes the funnel_state send form
    ser["funnel_rollup"] = sends["funnel_state"][:3]
    # resolution: version, SLA (-1: none), then the send form's payload (after version and flags)
    ser["resolution"] = [b[:2] + be("q", -1) + b[4:] for b in sends["resolution_state"][:2]] + \
                        [b[:2] + be("q", 3600 * 1000000) + b[4:] for b in sends["resolution_state"][:1]]
    for name, payloads in ser.items():
        for p in payloads:
            seed(DESER + SERIALS.index(name), p, "serial")
    missing = [t for t in range(DESER + len(SERIALS))
               if not any(f.startswith("%02d-" % t) for f in os.listdir(CORPUS))]
    if missing:
        sys.exit("no seed for targets %s" % missing)
    print("%d seeds in %s" % (len(os.listdir(CORPUS)), CORPUS))


if __name__ == "__main__":
    main()
