'use strict'
// engage read through node-postgres (npm `pg`), in text and binary result formats.
//
// Connects with the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE) to a
// database loaded with fixture.sql and cases.sql. Prints TAP lines without numbers
// ("ok - what", "not ok - what", "# diagnostics"); test/integration/20_clients.sh
// numbers them.

const path = require('path')
const { Client, types } = require('pg')

// Wire type of each kind of metric column, and what pg's default text parsers make of it.
const KIND_OID = { float8: 701, int8: 20, numeric: 1700, interval: 1186 }
const KIND_JS = { float8: 'number', int8: 'string', numeric: 'string', interval: 'object' }
// Binary results as raw Buffers: the test decodes them itself.
const RAW_BINARY = {
  getTypeParser: (oid, format) => (format === 'binary' ? (b) => b : types.getTypeParser(oid, format)),
}
// Query config for binary results. `binary: true` alone is silently ignored by a query
// without parameters, which goes through the simple protocol: text results.
const BINARY = { binary: true, queryMode: 'extended', types: RAW_BINARY }
let failed = 0

// Print one TAP line, and the problems found as diagnostics.
function tap(ok, what, problems = []) {
  console.log((ok ? 'ok - ' : 'not ok - ') + what)
  if (!ok) {
    failed++
    for (const p of problems.slice(0, 10)) console.log('#   ' + String(p).replace(/\n/g, '\n#   '))
  }
}

// Whether got is within tol of want, relative to max(1, |want|).
function close(got, want, tol) {
  return Math.abs(got - want) <= tol * Math.max(1, Math.abs(want))
}

// Seconds of an interval as pg's text parser (postgres-interval) gives it.
function intervalSeconds(iv) {
  return (
    ((iv.years || 0) * 12 + (iv.months || 0)) * 30 * 86400 + (iv.days || 0) * 86400 +
    (iv.hours || 0) * 3600 + (iv.minutes || 0) * 60 + (iv.seconds || 0) + (iv.milliseconds || 0) / 1000
  )
}

// The decimal text of numeric's binary form: ndigits, weight, sign, dscale, base-10000 digits.
function numericText(b) {
  const ndigits = b.readInt16BE(0), weight = b.readInt16BE(2), sign = b.readUInt16BE(4), dscale = b.readInt16BE(6)
  if (sign === 0xc000) return 'NaN'
  const digit = (i) => (i >= 0 && i < ndigits ? b.readInt16BE(8 + 2 * i) : 0)
  let int = ''
  for (let i = 0; i <= weight; i++) int += String(digit(i)).padStart(4, '0')
  int = int.replace(/^0+/, '') || '0'
  let frac = ''
  for (let i = weight + 1; frac.length < dscale; i++) frac += String(digit(i)).padStart(4, '0')
  return (sign === 0x4000 ? '-' : '') + int + (dscale > 0 ? '.' + frac.slice(0, dscale) : '')
}

// node-postgres up to at least 8.23 decodes every result field as UTF-8 text and
// turns binary ones back into a Buffer, which garbles bytes that are not valid
// UTF-8 (brianc/node-postgres#3495). If this pg does, keep binary fields as bytes.
async function ensureBinarySafe(client) {
  const probe = async () =>
    (await client.query({ text: 'SELECT 1000::int4 AS v, -2.5::float8 AS f', binary: true, queryMode: 'extended' })).rows[0]
  let r = await probe()
  if (r.v === 1000 && r.f === -2.5) return
  console.log('# pg %s garbles binary results (node-postgres#3495: got %s, %s); patching its parser',
    require('pg/package.json').version, r.v, r.f)
  const parserPath = require.resolve('pg-protocol/dist/parser', { paths: [path.dirname(require.resolve('pg'))] })
  const { Parser } = require(parserPath)
  const handle = Parser.prototype.handlePacket
  Parser.prototype.handlePacket = function (offset, code, length, bytes) {
    const msg = handle.call(this, offset, code, length, bytes)
    if (msg.name === 'rowDescription') {
      this.binaryColumns = msg.fields.map((f) => f.format === 'binary')
    } else if (msg.name === 'dataRow' && this.binaryColumns && this.binaryColumns.includes(true)) {
      let pos = offset + 2
      for (let i = 0; i < msg.fields.length; i++) {
        const len = bytes.readInt32BE(pos)
        pos += 4
        if (len < 0) continue
        if (this.binaryColumns[i]) msg.fields[i] = Buffer.from(bytes.subarray(pos, pos + len))
        pos += len
      }
    }
    return msg
  }
  r = await probe()
  tap(r.v === 1000 && r.f === -2.5, 'pg binary: the patched parser reads int4 1000 and float8 -2.5', [`got ${r.v}, ${r.f}`])
}

// Run a metric case in text mode: column type, JS type and value. Return the got values.
async function metricText(client, c) {
  const problems = []
  const res = await client.query(c.sql)
  const field = res.fields.find((f) => f.name === 'got')
  if (field.dataTypeID !== KIND_OID[c.kind]) problems.push(`got has type OID ${field.dataTypeID}, want ${KIND_OID[c.kind]}`)
  if (res.rows.length === 0) problems.push('no rows')
  for (const r of res.rows) {
    const { got, want } = r
    if (got === null || want === null) {
      if (got !== want) problems.push(`row ${JSON.stringify(r)}: got ${got}, want ${want}`)
    } else if (typeof got !== KIND_JS[c.kind]) {
      problems.push(`row ${JSON.stringify(r)}: got is a ${typeof got}, want a ${KIND_JS[c.kind]}`)
    } else if (c.kind === 'int8' || c.kind === 'numeric') {
      if (got !== want) problems.push(`row ${JSON.stringify(r)}: got ${got}, want ${want}`)
    } else {
      const g = c.kind === 'interval' ? intervalSeconds(got) : got
      if (!close(g, want, c.tol)) problems.push(`row ${JSON.stringify(r)}: got ${g}, want ${want} (tolerance ${c.tol})`)
    }
  }
  tap(problems.length === 0, `pg text: ${c.name} (${res.rows.length} rows of ${KIND_JS[c.kind]})`, problems)
  return res.rows.map((r) => r.got)
}

// Run a metric case with binary results: got decodes to the text value.
async function metricBinary(client, c, textValues) {
  const problems = []
  const res = await client.query({ text: c.sql, ...BINARY })
  const field = res.fields.find((f) => f.name === 'got')
  if (field.format !== 'binary') problems.push(`got came as ${field.format}`)
  if (res.rows.length !== textValues.length) problems.push(`${res.rows.length} rows, ${textValues.length} in text`)
  res.rows.forEach((r, i) => {
    const b = r.got, t = textValues[i]
    if (b === null || t === null || t === undefined) {
      if (b !== t) problems.push(`NULL in one format only: ${b} / ${t}`)
      return
    }
    let same
    if (c.kind === 'float8') {
      same = b.length === 8 && b.readDoubleBE(0) === t && types.getTypeParser(701, 'binary')(b) === t
    } else if (c.kind === 'int8') {
      same = b.length === 8 && b.readBigInt64BE(0).toString() === t
    } else if (c.kind === 'numeric') {
      same = numericText(b) === t
    } else {
      const s = b.length === 16 &&
        (Number(b.readBigInt64BE(0)) / 1e6 + b.readInt32BE(8) * 86400 + b.readInt32BE(12) * 30 * 86400)
      same = s !== false && close(s, intervalSeconds(t), 1e-12)
    }
    if (!same) problems.push(`row ${i}: binary ${b.toString('hex')}, text ${JSON.stringify(t)}`)
  })
  tap(problems.length === 0, `pg binary: ${c.name} (${res.rows.length} rows of binary ${c.kind})`, problems)
}

// A state in text mode: a string equal to s::text and the plain-SQL text; sent back as
// a text parameter it is the same state.
async function stateText(client, c) {
  const problems = []
  const res = await client.query(`SELECT s, s::text AS t FROM (${c.sql}) q`)
  const { s, t } = res.rows[0]
  if (res.fields[0].dataTypeID !== c.type) problems.push(`column type OID ${res.fields[0].dataTypeID}, want ${c.type}`)
  if (typeof s !== 'string') problems.push(`state arrived as ${typeof s}`)
  else if (s !== t) problems.push(`text ${s.slice(0, 200)} differs from s::text ${t.slice(0, 200)}`)
  if (c.want_text !== null) {
    const want = (await client.query(c.want_text)).rows[0]
    const w = Object.values(want)[0]
    if (s !== w) problems.push(`text      ${String(s).slice(0, 300)}\nplain SQL ${String(w).slice(0, 300)}`)
  }
  if (typeof s === 'string') {
    const rt = await client.query(
      `SELECT engage.${c.send_fn}($1::engage.${c.typname}) = engage.${c.send_fn}(s) AS same FROM (${c.sql}) q`, [s])
    if (rt.rows[0].same !== true) problems.push('the text sent back as a parameter is not the same state')
  }
  tap(problems.length === 0, `pg text: ${c.typname} state ${c.name} (${String(s).length} chars)`, problems)
  return res.fields[0].dataTypeID
}

// A state with binary results: a Buffer equal to the send function's bytes (and the
// plain-SQL bytes); sent back as a binary parameter, recv gives the same state.
async function stateBinary(client, c) {
  const problems = []
  const res = await client.query({
    text: `SELECT s, engage.${c.send_fn}(s) AS b FROM (${c.sql}) q`, ...BINARY,
  })
  const { s, b } = res.rows[0]
  const f = res.fields[0]
  if (f.dataTypeID !== c.type || f.format !== 'binary') problems.push(`column type OID ${f.dataTypeID} as ${f.format}`)
  if (!Buffer.isBuffer(s) || !s.equals(b)) {
    problems.push(`state ${Buffer.isBuffer(s) ? s.toString('hex').slice(0, 128) : s} differs from ${c.send_fn} ${b.toString('hex').slice(0, 128)}`)
  }
  if (c.want_bin !== null) {
    const w = Object.values((await client.query(c.want_bin)).rows[0])[0]
    if (!Buffer.isBuffer(s) || !s.equals(w)) {
      problems.push(`binary    ${Buffer.isBuffer(s) ? s.toString('hex').slice(0, 300) : s}\nplain SQL ${w.toString('hex').slice(0, 300)}`)
    }
  }
  if (Buffer.isBuffer(s)) {
    const rt = await client.query(
      `SELECT engage.${c.send_fn}($1::engage.${c.typname}) = engage.${c.send_fn}(s) AS same,
              $1::engage.${c.typname}::text = s::text AS same_text FROM (${c.sql}) q`, [s])
    if (rt.rows[0].same !== true || rt.rows[0].same_text !== true) {
      problems.push('the Buffer sent back as a binary parameter is not the same state')
    }
    // A value cut short must be refused, as for built-in types.
    try {
      await client.query(`SELECT $1::engage.${c.typname}::text`, [s.subarray(0, s.length - 1)])
      problems.push('a state one byte short was accepted')
    } catch (e) {
      if (e.code !== '22P03' && e.code !== '08P01') problems.push(`a state one byte short: SQLSTATE ${e.code}, want 22P03 or 08P01`)
    }
  }
  tap(problems.length === 0, `pg binary: ${c.typname} state ${c.name} (${Buffer.isBuffer(s) ? s.length : '?'} bytes)`, problems)
  return f.dataTypeID
}

async function main() {
  const client = new Client()
  await client.connect()
  const who = (await client.query("SELECT current_user AS u, current_setting('search_path') AS p")).rows[0]
  console.log(`# pg ${require('pg/package.json').version}, node ${process.version}; user ${who.u}, search_path ${who.p}`)
  await ensureBinarySafe(client)

  const metrics = (await client.query('SELECT id, name, fn::oid AS fn, kind, tol, sql FROM client_metric ORDER BY id')).rows
  const covered = new Set()
  for (const c of metrics) {
    try {
      const values = await metricText(client, c)
      covered.add(c.fn)
      await metricBinary(client, c, values)
    } catch (e) {
      tap(false, `pg: ${c.name}`, [e.message])
    }
  }
  const catalog = (await client.query('SELECT oid, name FROM client_catalog_metric')).rows
  const missing = catalog.filter((r) => !covered.has(r.oid)).map((r) => r.name)
  tap(missing.length === 0, `pg: every engage aggregate returning plain values was read (${catalog.length})`,
    ['not read: ' + missing.join(', ')])

  const typeRows = (await client.query('SELECT oid, name, send_fn FROM client_catalog_type')).rows
  const sendOf = new Map(typeRows.map((r) => [r.oid, r.send_fn]))
  const states = (await client.query(
    `SELECT c.id, c.name, c.type::oid AS type, t.typname::text AS typname, c.sql, c.want_text, c.want_bin
     FROM client_state c JOIN pg_type t ON t.oid = c.type ORDER BY c.id`)).rows
  const readText = new Set(), readBinary = new Set()
  for (const c of states) {
    c.send_fn = sendOf.get(c.type)
    try {
      readText.add(await stateText(client, c))
      readBinary.add(await stateBinary(client, c))
    } catch (e) {
      tap(false, `pg: state ${c.name}`, [e.message])
    }
  }
  const names = typeRows.map((r) => r.name).sort()
  for (const [mode, read] of [['text', readText], ['binary', readBinary]]) {
    const got = typeRows.filter((r) => read.has(r.oid)).map((r) => r.name).sort()
    tap(got.length === names.length && read.size === names.length,
      `pg ${mode}: the state types read are the engage base types (${names.length})`,
      [`catalog: ${names.join(', ')}`, `read:    ${got.join(', ')}`])
  }

  const empty = 'SELECT nps_agg(nps_score) AS s FROM survey WHERE false'
  tap((await client.query(empty)).rows[0].s === null, 'pg text: a state of no rows arrives as null')
  tap((await client.query({ text: empty, ...BINARY })).rows[0].s === null,
    'pg binary: a state of no rows arrives as null')
  await client.end()
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (e) => {
    console.log(`not ok - pg client: ${e.message}`)
    process.exit(1)
  }
)
