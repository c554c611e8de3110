#!/usr/bin/env python3
"""engage read through psycopg2, as Superset and other Python BI tools read it.

Connects with the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE) to a
database loaded with fixture.sql and cases.sql. Prints TAP lines without numbers
("ok - what", "not ok - what", "# diagnostics"); test/integration/20_clients.sh
numbers them. psycopg2 reads results as text only, so the binary forms are read
and written with COPY ... (FORMAT binary) and the PGCOPY format is parsed here.
"""
import datetime
import decimal
import io
import struct
import sys

import psycopg2

FAILED = 0
# Wire type of each kind of metric column, and the Python type psycopg2 gives it.
KIND_OID = {"float8": 701, "int8": 20, "numeric": 1700, "interval": 1186}
KIND_PY = {"float8": float, "int8": int, "numeric": decimal.Decimal, "interval": datetime.timedelta}
PGCOPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def tap(ok, what, problems=()):
    """Print one TAP line, and the problems found as diagnostics."""
    global FAILED
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        FAILED += 1
        for p in list(problems)[:10]:
            print("#   " + str(p).replace("\n", "\n#   "))


def copy_out(cur, query):
    """Rows of COPY (query) TO STDOUT (FORMAT binary): lists of bytes or None."""
    buf = io.BytesIO()
    cur.copy_expert("COPY (%s) TO STDOUT WITH (FORMAT binary)" % query, buf)
    data = buf.getvalue()
    if data[:11] != PGCOPY_SIGNATURE:
        raise ValueError("no PGCOPY signature")
    flags, ext = struct.unpack_from(">ii", data, 11)
    if flags != 0:
        raise ValueError("PGCOPY flags %d" % flags)
    pos = 19 + ext
    rows = []
    while True:
        (nfields,) = struct.unpack_from(">h", data, pos)
        pos += 2
        if nfields == -1:
            break
        row = []
        for _ in range(nfields):
            (length,) = struct.unpack_from(">i", data, pos)
            pos += 4
            if length == -1:
                row.append(None)
            else:
                row.append(data[pos:pos + length])
                pos += length
        rows.append(row)
    if pos != len(data):
        raise ValueError("%d bytes after the PGCOPY trailer" % (len(data) - pos))
    return rows


def pgcopy(rows):
    """A PGCOPY binary stream of rows of bytes (None for NULL)."""
    out = [PGCOPY_SIGNATURE, struct.pack(">ii", 0, 0)]
    for row in rows:
        out.append(struct.pack(">h", len(row)))
        for field in row:
            if field is None:
                out.append(struct.pack(">i", -1))
            else:
                out.append(struct.pack(">i", len(field)) + field)
    out.append(struct.pack(">h", -1))
    return b"".join(out)


def numeric_from_binary(b):
    """A Decimal from numeric's binary form: ndigits, weight, sign, dscale, base-10000 digits."""
    ndigits, weight, sign, dscale = struct.unpack_from(">hhHh", b, 0)
    if sign == 0xC000:
        return decimal.Decimal("NaN")
    digits = struct.unpack_from(">%dh" % ndigits, b, 8)
    value = decimal.Decimal(0)
    for i, d in enumerate(digits):
        value += decimal.Decimal(d).scaleb(4 * (weight - i))
    value = value.quantize(decimal.Decimal(1).scaleb(-dscale))
    return -value if sign == 0x4000 else value


def close(got, want, tol):
    """Whether got is within tol of want, relative to max(1, |want|)."""
    return abs(got - want) <= tol * max(1.0, abs(want))


def seconds(kind, value):
    """A metric value as a number to compare with want (seconds for an interval)."""
    return value.total_seconds() if kind == "interval" else value


def check_metric_text(cur, case):
    """Run a metric case; check column types, Python types and values. Return the rows."""
    _, name, _, kind, tol, sql = case
    problems = []
    cur.execute(sql)
    cols = [d.name for d in cur.description]
    gi, wi = cols.index("got"), cols.index("want")
    rows = cur.fetchall()
    if cur.description[gi].type_code != KIND_OID[kind]:
        problems.append("got has type OID %s, want %s" % (cur.description[gi].type_code, KIND_OID[kind]))
    if not rows:
        problems.append("no rows")
    for r in rows:
        got, want = r[gi], r[wi]
        if got is None or want is None:
            if got is not want:
                problems.append("row %r: got %r, want %r" % (r, got, want))
            continue
        if type(got) is not KIND_PY[kind]:
            problems.append("row %r: got is %s, want %s" % (r, type(got).__name__, KIND_PY[kind].__name__))
        elif kind in ("int8", "numeric"):
            if got != want or (kind == "numeric" and str(got) != str(want)):
                problems.append("row %r: got %r, want %r" % (r, got, want))
        elif not close(seconds(kind, got), float(want), tol):
            problems.append("row %r: got %r, want %r (tolerance %g)" % (r, got, want, tol))
    tap(not problems, "psycopg2 text: %s (%d rows of %s)" % (name, len(rows), KIND_PY[kind].__name__), problems)
    return gi, rows


def check_metric_binary(cur, case, gi, text_rows):
    """Read a metric case with COPY binary; the got bytes must decode to the text value."""
    _, name, _, kind, _, sql = case
    problems = []
    rows = copy_out(cur, sql)
    if len(rows) != len(text_rows):
        problems.append("%d rows, %d in text" % (len(rows), len(text_rows)))
    for brow, trow in zip(rows, text_rows):
        b, t = brow[gi], trow[gi]
        if b is None or t is None:
            if not (b is None and t is None):
                problems.append("NULL in one format only: %r / %r" % (b, t))
            continue
        if kind == "float8":
            value = struct.unpack(">d", b)[0] if len(b) == 8 else None
        elif kind == "int8":
            value = struct.unpack(">q", b)[0] if len(b) == 8 else None
        elif kind == "interval":
            if len(b) == 16:
                us, days, months = struct.unpack(">qii", b)
                value = datetime.timedelta(days=days + 30 * months, microseconds=us)
            else:
                value = None
        else:
            value = numeric_from_binary(b)
        if value is None:
            problems.append("%s value of %d bytes" % (kind, len(b)))
        elif value != t:
            problems.append("binary %r, text %r" % (value, t))
    tap(not problems, "psycopg2 COPY binary: %s (%d rows of binary %s)" % (name, len(rows), kind), problems)


def check_state_text(cur, case, send_fn):
    """A state arrives as str equal to s::text (and the plain-SQL text), and round-trips."""
    _, name, typ, typname, sql, want_text, _ = case
    problems = []
    cur.execute("SELECT s, s::text AS t FROM (%s) q" % sql)
    oid = cur.description[0].type_code
    s, t = cur.fetchone()
    if oid != typ:
        problems.append("column type OID %s, want %s" % (oid, typ))
    if not isinstance(s, str):
        problems.append("state arrived as %s" % type(s).__name__)
    elif s != t:
        problems.append("text %r differs from s::text %r" % (s[:200], t[:200]))
    if want_text is not None:
        cur.execute(want_text)
        want = cur.fetchone()[0]
        if s != want:
            problems.append("text    %r\nplain SQL %r" % (s[:300], (want or "")[:300]))
    if isinstance(s, str):
        cur.execute("SELECT engage.%s(%%s::engage.%s) = engage.%s(s) FROM (%s) q"
                    % (send_fn, typname, send_fn, sql.replace("%", "%%")), (s,))
        if cur.fetchone()[0] is not True:
            problems.append("the text sent back as a parameter is not the same state")
    tap(not problems, "psycopg2 text: %s state %s (%d chars)" % (typname, name, len(s or "")), problems)
    return oid


def check_state_binary(cur, case, send_fn):
    """COPY binary gives the send function's bytes; COPY FROM of them gives the same state."""
    _, name, typ, typname, sql, _, want_bin = case
    problems = []
    rows = copy_out(cur, "SELECT s, engage.%s(s) FROM (%s) q" % (send_fn, sql))
    state, sent = rows[0]
    if state is None or state != sent:
        problems.append("COPY binary field %r differs from %s %r" % (state and state[:64], send_fn, sent[:64]))
    if want_bin is not None:
        cur.execute(want_bin)
        want = bytes(cur.fetchone()[0])
        if state != want:
            problems.append("binary    %s\nplain SQL %s" % (state.hex()[:300], want.hex()[:300]))
    cur.execute("CREATE TEMP TABLE rt (s engage.%s)" % typname)
    cur.copy_expert("COPY rt FROM STDIN WITH (FORMAT binary)", io.BytesIO(pgcopy([[state]])))
    cur.execute("SELECT count(*), bool_and(engage.%s(rt.s) = engage.%s(q.s)), bool_and(rt.s::text = q.s::text)"
                " FROM rt, (%s) q" % (send_fn, send_fn, sql))
    if cur.fetchone() != (1, True, True):
        problems.append("COPY FROM STDIN (FORMAT binary) did not give the same state")
    # A value cut short must be refused, as for built-in types.
    try:
        cur.copy_expert("COPY rt FROM STDIN WITH (FORMAT binary)", io.BytesIO(pgcopy([[state[:-1]]])))
        problems.append("a state one byte short was accepted")
    except psycopg2.Error as e:
        if e.pgcode not in ("22P03", "08P01"):
            problems.append("a state one byte short: SQLSTATE %s, want 22P03 or 08P01" % e.pgcode)
    cur.execute("DROP TABLE rt")
    tap(not problems, "psycopg2 COPY binary: %s state %s (%d bytes)" % (typname, name, len(state or b"")), problems)
    return typ


def main():
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT current_user, current_setting('search_path')")
    print("# psycopg2 %s, libpq %s; user %s, search_path %s"
          % ((psycopg2.__version__, psycopg2.__libpq_version__) + cur.fetchone()))

    cur.execute("SELECT id, name, fn::oid, kind, tol, sql FROM client_metric ORDER BY id")
    metrics = cur.fetchall()
    covered = set()
    for case in metrics:
        try:
            gi, rows = check_metric_text(cur, case)
            covered.add(case[2])
            check_metric_binary(cur, case, gi, rows)
        except (psycopg2.Error, ValueError, struct.error) as e:
            tap(False, "psycopg2: %s" % case[1], [e])

    cur.execute("SELECT oid, name FROM client_catalog_metric")
    catalog = dict(cur.fetchall())
    missing = sorted(catalog[o] for o in set(catalog) - covered)
    tap(not missing, "psycopg2: every engage aggregate returning plain values was read (%d)" % len(catalog),
        ["not read: " + ", ".join(missing)])

    cur.execute("SELECT oid, name, send_fn FROM client_catalog_type")
    types = {o: (n, f) for o, n, f in cur.fetchall()}
    cur.execute("SELECT c.id, c.name, c.type::oid, t.typname::text, c.sql, c.want_text, c.want_bin"
                " FROM client_state c JOIN pg_type t ON t.oid = c.type ORDER BY c.id")
    read_text, read_binary = set(), set()
    for case in cur.fetchall():
        send_fn = types.get(case[2], (None, None))[1]
        try:
            read_text.add(check_state_text(cur, case, send_fn))
            read_binary.add(check_state_binary(cur, case, send_fn))
        except (psycopg2.Error, ValueError, struct.error, TypeError) as e:
            tap(False, "psycopg2: state %s" % case[1], [e])
    for mode, read in (("text", read_text), ("COPY binary", read_binary)):
        tap(read == set(types), "psycopg2 %s: the state types read are the engage base types (%d)" % (mode, len(types)),
            ["catalog: %s" % sorted(n for n, _ in types.values()),
             "read:    %s" % sorted(types[o][0] if o in types else str(o) for o in read)])

    cur.execute("SELECT nps_agg(nps_score) FROM survey WHERE false")
    tap(cur.fetchone()[0] is None, "psycopg2 text: a state of no rows arrives as None")
    rows = copy_out(cur, "SELECT nps_agg(nps_score) FROM survey WHERE false")
    tap(rows == [[None]], "psycopg2 COPY binary: a state of no rows is NULL (length -1)")
    conn.close()
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
