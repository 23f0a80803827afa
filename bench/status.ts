/**
 * The status-read benchmark of `npm run bench` (issue 12): the gateway against the bare signing proxy
 * and the Express + axios peer, interleaved round by round on one upstream stub, for
 * `GET /v1/{registrations,documents}/{id}` warm (200 records polled) and cold (every read a record
 * not read before), with and without `refresh=true`; then the gateway's writes and its scaling table.
 *
 * BENCH_BASELINE_ENTRY=<another build's server.js> runs that build as a fourth contender, `baseline`,
 * in the same interleaved rounds as the gateway (a before/after pair under the same load).
 * BENCH_ONLY=<text>[,<text>...] (to iterate on one path): only the status scenarios whose name (e.g.
 * `registrations warm refresh=true`) contains one of the texts; no writes, OTP sends or cold/OTP seed
 * unless a selected scenario needs them. BENCH_ONLY=writes: only the writes table (no seeding).
 */
import { SignJWT } from 'jose'
import pg from 'pg'
import { openPglite } from '../src/db/pglite.js'
import { postgresPoolConfig } from '../src/db/postgres-config.js'
import {
  backendCpu,
  backendCpuSpent,
  cpuMs,
  type LoadResult,
  type LoadTarget,
  load,
  median,
  table,
} from './measure.js'
import { fillRegistrations, type SeedKeys, seedDocuments, seedRegistrations } from './seed.js'
import { type Contender, gatewayApplicationName, type StatusStack, startStatusStack } from './stack.js'

export const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick')
/** BENCH_ONLY=writes: only the writes table (POST /v1/registrations with and without a key): no seeding. */
const WRITES_ONLY = process.env.BENCH_ONLY === 'writes'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3))
/** PGlite's run, beside PostgreSQL's: one round (its figures are the gateway's own, not the ratios). */
const PGLITE_ROUNDS = Number(process.env.BENCH_PGLITE_ROUNDS ?? 1)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? (QUICK ? 3 : 4))
const CONNECTIONS = 32
const WARMUP_S = 2
const WARM_RECORDS = 200
/**
 * Cold records seeded up front. On PostgreSQL the seed then grows before each gateway cold run to
 * what that run may read (the fastest cold rate seen so far, with room), so no read of the whole
 * run repeats a record however fast the reads get; PGlite is seeded before the gateway opens it, so
 * its seed is sized up front for its one round.
 */
const COLD_RECORDS = QUICK ? 2_000 : 20_000
/** Cold reads a second assumed at most before one is measured (then 1.5x the fastest seen). */
const COLD_RPS_GUESS = 12_000
/** One OTP send per waiting_otp registration: enough for every round at a few hundred a second. */
const OTP_RECORDS = QUICK ? 2_000 : 10_000
const SCALE_CONNECTIONS = [1, 8, 32, 128]
const SCALE_DURATION_S = Math.min(DURATION_S, 3)
/** BENCH_SCALING=0 skips the scaling table (filling a million rows takes minutes on a busy machine). */
const SCALE_ROWS =
  process.env.BENCH_SCALING === '0' ? [] : QUICK ? [1_000, 10_000] : [1_000, 100_000, 1_000_000]
const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((text) => text.trim())
  .filter((text) => text !== '')
const selected = (name: string) => ONLY.length === 0 || ONLY.some((text) => name.includes(text))
const COLD_SELECTED = ['registrations', 'documents'].some((kind) =>
  [true, false].some((refresh) => selected(`${kind} cold refresh=${refresh}`)),
)
const WRITES_SELECTED = ONLY.length === 0
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'
const OWNER = 'bench-user'

type Kind = 'registrations' | 'documents'

interface Sample extends LoadResult {
  cpuMsPerRequest: number
  pgCpuMsPerRequest: number | null
  queriesPerRequest: number | null
}

interface Records {
  warm: Record<Kind, string[]>
  cold: Record<Kind, string[]>
  otp: string[]
  /** More cold records of `kind` (PostgreSQL only: the seed grows while the gateway runs). */
  grow?: (kind: Kind, count: number) => Promise<string[]>
}

async function openSchemaClient(databaseUrl: string): Promise<pg.Client> {
  const schema = new URL(databaseUrl).searchParams.get('schema') ?? 'public'
  const client = new pg.Client(postgresPoolConfig(databaseUrl, schema))
  await client.connect()
  return client
}

/** One load run against one contender, with the CPU it (and, for the gateway, PostgreSQL) spent. */
async function measureRun(
  stack: StatusStack,
  contender: Contender,
  target: LoadTarget,
  admin: pg.Client | null,
  options: { connections: number },
): Promise<Sample> {
  const pid = contender.process.pid ?? 0
  const isGateway = contender.name === 'gateway' || contender.name === 'baseline'
  const cpuBefore = cpuMs(pid)
  const pgBefore = isGateway && admin ? await backendCpu(admin, gatewayApplicationName(stack.schema)) : null
  const queriesBefore = isGateway ? await stack.gatewayQueries(contender) : null
  const result = await load(target, { connections: options.connections, durationS: DURATION_S })
  const cpu = cpuMs(pid) - cpuBefore
  const pgAfter = pgBefore && admin ? await backendCpu(admin, gatewayApplicationName(stack.schema)) : null
  const queriesAfter = isGateway ? await stack.gatewayQueries(contender) : null
  const per = (value: number) => value / Math.max(1, result.requests)
  return {
    ...result,
    cpuMsPerRequest: per(cpu),
    pgCpuMsPerRequest: pgBefore && pgAfter ? per(backendCpuSpent(pgBefore, pgAfter)) : null,
    queriesPerRequest:
      queriesBefore !== null && queriesAfter !== null ? per(queriesAfter - queriesBefore) : null,
  }
}

function statusTarget(
  contender: Contender,
  token: string,
  kind: Kind,
  ids: string[],
  refresh: boolean,
  offset = 0,
): LoadTarget {
  const query = refresh ? '?refresh=true' : ''
  return {
    baseUrl: contender.url,
    headers: { authorization: `Bearer ${token}` },
    path: (n) => `/v1/${kind}/${ids[(offset + n) % ids.length]}${query}`,
  }
}

const fixed = (value: number | null, digits = 2) => (value === null ? 'n/a' : value.toFixed(digits))

function summarize(samples: Sample[]) {
  const pick = (key: keyof Sample) => {
    const values = samples.map((sample) => sample[key]).filter((value): value is number => value !== null)
    return values.length > 0 ? median(values) : null
  }
  return {
    rps: pick('rps') ?? 0,
    p50: pick('p50') ?? 0,
    mean: pick('mean') ?? 0,
    p99: pick('p99') ?? 0,
    cpu: pick('cpuMsPerRequest'),
    pgCpu: pick('pgCpuMsPerRequest'),
    queries: pick('queriesPerRequest'),
    failed: samples.reduce((sum, sample) => sum + sample.failed, 0),
  }
}

/** Interleaved rounds of every status scenario; prints one table per scenario and a ratio summary. */
export async function statusReads(
  stack: StatusStack,
  admin: pg.Client | null,
  records: Records,
  token: string,
  rounds = ROUNDS,
) {
  const contenders = [stack.gateway, stack.proxy, stack.peer, ...(stack.baseline ? [stack.baseline] : [])]
  const scenarios = (['registrations', 'documents'] as Kind[])
    .flatMap((kind) =>
      (['warm', 'cold'] as const).flatMap((temperature) =>
        [true, false].map((refresh) => ({ kind, temperature, refresh })),
      ),
    )
    .filter((scenario) => selected(`${scenario.kind} ${scenario.temperature} refresh=${scenario.refresh}`))
  // JIT, connection pools and Privy's token first, so the first measured run is not the slowest.
  for (const contender of contenders) {
    for (const kind of ['registrations', 'documents'] as Kind[]) {
      await load(statusTarget(contender, token, kind, records.warm[kind], true), {
        connections: CONNECTIONS,
        durationS: WARMUP_S,
      })
    }
  }
  const samples = new Map<string, Sample[]>()
  const coldOffset = new Map<string, number>()
  const coldRps = new Map<Kind, number>()
  const reused = new Set<string>()
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      for (const contender of contenders) {
        const key = `${scenario.kind} ${scenario.temperature} refresh=${scenario.refresh} ${contender.name}`
        const cold = scenario.temperature === 'cold'
        const ids = records[scenario.temperature][scenario.kind]
        // Only the gateways keep records (their record caches): the proxy and the peer read none of them.
        const gateway = contender === stack.gateway || contender === stack.baseline
        // Cold: each gateway run starts where the last one of its kind stopped, so no record is read twice.
        // The gateway and the baseline share one offset: a row the other had read first would be warm in
        // PostgreSQL (hint bits set, by the first read of a new row), a cost only the first reader pays.
        const offsetKey = `${scenario.kind} ${gateway ? 'gateways' : contender.name}`
        const offset = cold ? (coldOffset.get(offsetKey) ?? 0) : 0
        if (cold && gateway && records.grow) {
          const fastest = coldRps.get(scenario.kind) ?? COLD_RPS_GUESS / 1.5
          const need = offset + Math.ceil(fastest * 1.5 * DURATION_S) + CONNECTIONS - ids.length
          if (need > 0) ids.push(...(await records.grow(scenario.kind, need)))
        }
        const target = statusTarget(contender, token, scenario.kind, ids, scenario.refresh, offset)
        const sample = await measureRun(stack, contender, target, admin, { connections: CONNECTIONS })
        if (cold) {
          const next = offset + sample.requests + CONNECTIONS
          coldOffset.set(offsetKey, next)
          if (gateway) {
            coldRps.set(scenario.kind, Math.max(coldRps.get(scenario.kind) ?? 0, sample.rps))
            // Past the seed, records would be read a second time: say so rather than call it cold.
            if (next > ids.length) reused.add(key)
          }
        }
        samples.set(key, [...(samples.get(key) ?? []), sample])
      }
    }
  }
  const rows: Array<Array<string | number>> = [
    [
      'scenario',
      'contender',
      'req/s',
      'p50 ms',
      'p99 ms',
      'cpu ms/req',
      'pg cpu ms/req',
      'db rt/req',
      'failed',
      'x proxy',
      'x peer',
      '+p99 ms',
    ],
  ]
  for (const scenario of scenarios) {
    const name = `${scenario.kind} ${scenario.temperature} refresh=${scenario.refresh}`
    const of = (contender: Contender) => summarize(samples.get(`${name} ${contender.name}`) ?? [])
    const rowsOf = contenders.map(of)
    const [, proxy, peer] = rowsOf
    for (const [index, contender] of contenders.entries()) {
      const row = rowsOf[index]
      if (!row || !proxy || !peer) continue
      const isGateway = contender.name === 'gateway' || contender.name === 'baseline'
      rows.push([
        name,
        contender.name,
        Math.round(row.rps),
        row.p50,
        row.p99,
        fixed(row.cpu),
        fixed(row.pgCpu),
        fixed(row.queries),
        row.failed,
        isGateway ? fixed(row.rps / proxy.rps) : '',
        isGateway ? fixed(row.rps / peer.rps) : '',
        isGateway ? fixed(row.p99 - proxy.p99, 0) : '',
      ])
    }
  }
  // Past the seed a record is read again, but only after every other one of the seed: more than the
  // record cache holds (RECORD_CACHE_ENTRIES, 10,000), so for the gateway still a read of the table.
  const warning =
    reused.size > 0
      ? `\nSeed read more than once in ${[...reused].join(', ')}: ${
          records.cold.registrations.length > 10_000
            ? 'after all the others, so out of the 10,000-row record cache (still cold)'
            : 'a seed this small fits in the record cache, so those reads were partly warm'
        }`
      : ''
  return table(rows) + warning
}

/**
 * Connections of the writes table: 1, the latency a key adds with no queueing (its round trips and
 * CPU, nothing else), and 8, where a 2-vCPU machine is CPU-bound and p50 follows the CPU per request.
 */
const WRITE_CONNECTIONS = [1, 8]

/**
 * POST /v1/registrations (landing page), each request a new person, with and without Idempotency-Key,
 * at 1 and 8 connections, interleaved round by round (with the baseline build when there is one);
 * then what the key adds: p50 (and mean, finer at 1 connection), CPU ms and round trips per request.
 */
export async function writes(stack: StatusStack, admin: pg.Client | null, token: string, rounds = ROUNDS) {
  const contenders = [stack.gateway, ...(stack.baseline ? [stack.baseline] : [])]
  const rows: Array<Array<string | number>> = [
    [
      'write',
      'contender',
      'conns',
      'req/s',
      'p50 ms',
      'mean ms',
      'p99 ms',
      'cpu ms/req',
      'db rt/req',
      'failed',
    ],
  ]
  const run = Date.now().toString(36)
  const samples = new Map<string, Sample[]>()
  const target = (contender: Contender, tag: string, idempotent: boolean): LoadTarget => ({
    baseUrl: contender.url,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    path: () => '/v1/registrations',
    body: (n) =>
      JSON.stringify({
        registration_type: 'landing_page',
        name: 'Bench User',
        email: `bench-${tag}-${n}@example.co.id`,
        phone: `628${String(n).padStart(10, '0')}`,
      }),
    ...(idempotent ? { headersFor: (n: number) => ({ 'idempotency-key': `bench-${tag}-${n}` }) } : {}),
  })
  const nameOf = (idempotent: boolean) => `POST /v1/registrations${idempotent ? ' + Idempotency-Key' : ''}`
  // JIT and the pool first (as for the reads): the first measured run is otherwise the slowest.
  for (const [index, contender] of contenders.entries()) {
    for (const idempotent of [false, true]) {
      await load(target(contender, `${run}w${index}${idempotent ? 'i' : 'p'}`, idempotent), {
        connections: 8,
        durationS: WARMUP_S,
      })
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const connections of WRITE_CONNECTIONS) {
      for (const [index, contender] of contenders.entries()) {
        for (const idempotent of [false, true]) {
          const tag = `${run}${round}c${connections}g${index}${idempotent ? 'i' : 'p'}`
          const sample = await measureRun(stack, contender, target(contender, tag, idempotent), admin, {
            connections,
          })
          const key = `${nameOf(idempotent)}|${contender.name}|${connections}`
          samples.set(key, [...(samples.get(key) ?? []), sample])
        }
      }
    }
  }
  const added: Array<Array<string | number>> = [
    ['key adds', 'contender', 'conns', 'p50 ms', 'mean ms', 'cpu ms/req', 'db rt/req'],
  ]
  for (const connections of WRITE_CONNECTIONS) {
    for (const contender of contenders) {
      const [plain, keyed] = [false, true].map((idempotent) =>
        summarize(samples.get(`${nameOf(idempotent)}|${contender.name}|${connections}`) ?? []),
      )
      if (!plain || !keyed) continue
      for (const [row, idempotent] of [
        [plain, false],
        [keyed, true],
      ] as const) {
        rows.push([
          nameOf(idempotent),
          contender.name,
          connections,
          Math.round(row.rps),
          row.p50,
          fixed(row.mean),
          row.p99,
          fixed(row.cpu),
          fixed(row.queries),
          row.failed,
        ])
      }
      const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b)
      added.push([
        'Idempotency-Key',
        contender.name,
        connections,
        fixed(keyed.p50 - plain.p50, 1),
        fixed(keyed.mean - plain.mean),
        fixed(minus(keyed.cpu, plain.cpu)),
        fixed(minus(keyed.queries, plain.queries)),
      ])
    }
  }
  return `${table(rows)}\n\n${table(added)}`
}

/** One row of a write table (writes, OTP sends): the medians of `samples`. */
function writeRow(name: string, samples: Sample[]): Array<string | number> {
  const row = summarize(samples)
  return [name, Math.round(row.rps), row.p50, row.p99, fixed(row.cpu), fixed(row.queries), row.failed]
}

/** POST /v1/otp (registration, sms), each request a seeded waiting_otp registration not used before. */
export async function otpSends(
  stack: StatusStack,
  admin: pg.Client | null,
  token: string,
  ids: string[],
  rounds = ROUNDS,
) {
  const rows: Array<Array<string | number>> = [
    ['write', 'req/s', 'p50 ms', 'p99 ms', 'cpu ms/req', 'db rt/req', 'failed'],
  ]
  const samples: Sample[] = []
  let offset = 0
  for (let round = 0; round < rounds; round++) {
    const start = offset
    const sample = await measureRun(
      stack,
      stack.gateway,
      {
        baseUrl: stack.gateway.url,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        path: () => '/v1/otp',
        body: (n) =>
          JSON.stringify({ otp_type: 'registration', otp_channel: 'sms', registration_id: ids[start + n] }),
      },
      admin,
      { connections: 8 },
    )
    offset += sample.requests + 8
    samples.push(sample)
  }
  rows.push(writeRow('POST /v1/otp', samples))
  const warning = offset > ids.length ? `\nThe seed of ${ids.length} waiting_otp registrations ran out` : ''
  return table(rows) + warning
}

export async function benchToken(): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(OWNER)
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET))
}

/**
 * Gateway-only: `refresh=true` registration reads at 1..128 connections as the registrations table
 * grows, by the bench's gateway (warm: served from its record cache, the table is not read) and by a
 * second gateway with the record cache off (RECORD_CACHE_ENTRIES=0: every read is the status read's
 * query on the table, which is what must stay O(1) in its size).
 */
export async function scaling(
  stack: StatusStack,
  admin: pg.Client,
  warm: string[],
  token: string,
  rowsNow: () => Promise<number>,
) {
  const rows: Array<Array<string | number>> = [
    [
      'rows',
      'connections',
      'cached req/s',
      'p50 ms',
      'p99 ms',
      'uncached req/s',
      'p50 ms',
      'p99 ms',
      'failed',
    ],
  ]
  const plans: string[] = []
  const uncached = await stack.extraGateway({ RECORD_CACHE_ENTRIES: '0' })
  for (const gateway of [stack.gateway, uncached]) {
    await load(statusTarget(gateway, token, 'registrations', warm, true), {
      connections: CONNECTIONS,
      durationS: WARMUP_S,
    })
  }
  for (const size of SCALE_ROWS) {
    if ((await rowsNow()) > size) continue
    await fillRegistrations(admin, size)
    // The status read's one query (the owner is checked on the row it returns, which the record
    // cache keeps for every caller).
    const explain = await admin.query(
      `EXPLAIN SELECT * FROM registrations WHERE id = $1 AND submission <> 'failed' LIMIT 1`,
      [warm[0]],
    )
    plans.push(`-- ${size} rows\n${explain.rows.map((row) => row['QUERY PLAN']).join('\n')}`)
    for (const connections of SCALE_CONNECTIONS) {
      const [cached, direct] = [
        await load(statusTarget(stack.gateway, token, 'registrations', warm, true), {
          connections,
          durationS: SCALE_DURATION_S,
        }),
        await load(statusTarget(uncached, token, 'registrations', warm, true), {
          connections,
          durationS: SCALE_DURATION_S,
        }),
      ]
      rows.push([
        size,
        connections,
        Math.round(cached.rps),
        cached.p50,
        cached.p99,
        Math.round(direct.rps),
        direct.p50,
        direct.p99,
        cached.failed + direct.failed,
      ])
    }
  }
  return `${table(rows)}\n\n${plans.join('\n\n')}`
}

/**
 * PGlite's cold seed: its one round reads each kind cold twice (with and without refresh) for
 * DURATION_S, at a few thousand a second at most on one in-process engine; 4,000/s with room.
 */
const PGLITE_COLD_RECORDS = Math.max(COLD_RECORDS, PGLITE_ROUNDS * 2 * DURATION_S * 4_000)

/** PGlite seeded before the gateway opens it (PGlite has one process at a time): the same SQL. */
async function seedPglite(pgliteDir: string, keys: SeedKeys, records: Records): Promise<void> {
  const pglite = await openPglite(pgliteDir)
  try {
    const db = {
      query: (sql: string, params?: unknown[]) => pglite.query(sql, params),
    } as unknown as pg.Client
    const owner = `user:${OWNER}`
    records.warm.registrations = await seedRegistrations(db, keys, owner, WARM_RECORDS)
    records.warm.documents = await seedDocuments(db, keys, owner, WARM_RECORDS)
    if (COLD_SELECTED) {
      records.cold.registrations = await seedRegistrations(db, keys, owner, PGLITE_COLD_RECORDS)
      records.cold.documents = await seedDocuments(db, keys, owner, PGLITE_COLD_RECORDS)
    }
    if (WRITES_SELECTED) records.otp = await seedRegistrations(db, keys, owner, OTP_RECORDS, 'waiting_otp')
    await pglite.exec('ANALYZE registrations; ANALYZE documents')
  } finally {
    await pglite.close()
  }
}

export async function runStatusBench(postgres: boolean): Promise<boolean> {
  const schema = process.env.BENCH_SCHEMA ?? 'privy_gateway_bench_status'
  let admin: pg.Client | null = null
  let keys: SeedKeys | undefined
  const records: Records = {
    warm: { registrations: [], documents: [] },
    cold: { registrations: [], documents: [] },
    otp: [],
  }
  const database = postgres ? 'PostgreSQL' : 'PGlite'
  const out = (text: string) => process.stdout.write(`${text}\n`)
  const stack = await startStatusStack({
    jwtSecret: JWT_SECRET,
    schema,
    postgres,
    seed: async (ready) => {
      keys = ready.keys
      if (postgres) admin = await openSchemaClient(ready.databaseUrl)
      else if (!WRITES_ONLY) await seedPglite(ready.pgliteDir, ready.keys, records)
    },
    // Production refuses to start without PostgreSQL; PGlite is the development default.
    ...(postgres ? {} : { env: { NODE_ENV: 'development' } }),
  })
  try {
    const token = await benchToken()
    if (WRITES_ONLY) {
      out(`\n## Writes (${database}, 1 and 8 connections, ${ROUNDS} rounds, medians)\n`)
      out(await writes(stack, admin, token))
      return true
    }
    if (!postgres) {
      const rounds = Math.min(ROUNDS, PGLITE_ROUNDS)
      out(`\n## Status reads (PGlite, NODE_ENV=development, ${CONNECTIONS} connections, ${rounds} round)\n`)
      out(await statusReads(stack, null, records, token, rounds))
      if (!WRITES_SELECTED) return true
      out('\n## Writes (PGlite, 1 and 8 connections)\n')
      out(await writes(stack, null, token, rounds))
      out('\n## OTP sends (PGlite, 8 connections)\n')
      out(await otpSends(stack, null, token, records.otp, rounds))
      return true
    }
    if (!admin || !keys) throw new Error('PostgreSQL seeding did not run')
    const db = admin as pg.Client
    const owner = `user:${OWNER}`
    records.warm.registrations = await seedRegistrations(db, keys, owner, WARM_RECORDS)
    records.warm.documents = await seedDocuments(db, keys, owner, WARM_RECORDS)
    const count = async () => Number((await db.query('SELECT count(*) AS n FROM registrations')).rows[0].n)
    if (SCALE_ROWS.length > 0) {
      out(
        `\n## Scaling (${database}, gateway only, GET /v1/registrations/{id}?refresh=true of 200 records)\n`,
      )
      out(await scaling(stack, db, records.warm.registrations, token, count))
    }
    if (COLD_SELECTED) {
      records.cold.registrations = await seedRegistrations(db, keys, owner, COLD_RECORDS)
      records.cold.documents = await seedDocuments(db, keys, owner, COLD_RECORDS)
    }
    if (WRITES_SELECTED) records.otp = await seedRegistrations(db, keys, owner, OTP_RECORDS, 'waiting_otp')
    records.grow = (kind, more) =>
      kind === 'registrations'
        ? seedRegistrations(db, keys as SeedKeys, owner, more)
        : seedDocuments(db, keys as SeedKeys, owner, more)
    await db.query('ANALYZE registrations; ANALYZE documents')
    out(`\n## Status reads (${database}, ${CONNECTIONS} connections, ${ROUNDS} rounds, medians)\n`)
    out(await statusReads(stack, db, records, token))
    if (!WRITES_SELECTED) return true
    out(`\n## Writes (${database}, 1 and 8 connections, ${ROUNDS} rounds, medians)\n`)
    out(await writes(stack, db, token))
    out(`\n## OTP sends (${database}, 8 connections)\n`)
    out(await otpSends(stack, db, token, records.otp))
    return true
  } finally {
    await stack.stop()
    if (admin) {
      const db = admin as pg.Client
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
      await db.end()
    }
  }
}
