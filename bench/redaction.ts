/**
 * `npm run bench:redaction` (or `npx tsx bench/redaction.ts`): what log redaction costs.
 *
 * One gateway process per LOG_LEVEL (info, then debug) serves the same app twice, on two ports, over
 * one database: once with the production logger (src/logging.ts: pino `redact` paths, URL and error
 * scrubbing), once with the same logger with every censoring step off (`createLogger(level, stream,
 * { redact: false })`, an option only this file passes: no configuration reaches it). Logs go to a
 * counting null stream, so neither a disk nor a pipe is measured, only what the logger itself does.
 * The simulator (Privy) runs in a process of its own, and autocannon drives both from this one, as in
 * bench/run.ts. Background jobs are off.
 *
 * The two are measured in alternating rounds (on, off, off, on, ...), so a machine whose load drifts
 * during the run penalises neither side. Two requests:
 * - `GET /v1/registrations/{id}`: auth and one database read; logged as "incoming request" and
 *   "request completed" (the record is fresh: Privy is not called);
 * - `POST /v1/registrations` (landing page, a new email and phone each time) while Privy answers 500:
 *   a database write, a Privy call, and an error logged with its cause ("request failed", `err`
 *   serialised), plus the "privy call" line at debug.
 * Then the logger alone (no HTTP): microseconds per line for those lines, redaction on and off.
 *
 * BENCH_ROUNDS (default 5) × BENCH_ROUND_S (default 3 s) per side, request and level;
 * BENCH_CONNECTIONS (default 10). DATABASE_URL: PostgreSQL in a schema of its own, else PGlite.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { FastifyInstance } from 'fastify'
import { SignJWT } from 'jose'
import pg from 'pg'
import type { DestinationStream } from 'pino'
import { request } from 'undici'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config/config.js'
import { openDatabase } from '../src/db/database.js'
import { AppError } from '../src/errors/app-error.js'
import { createLogger } from '../src/logging.js'
import { PrivyServerError } from '../src/privy/errors.js'
import { simulatorPrivyEnv } from '../src/simulator/dev-credentials.js'
import {
  freePort,
  freePorts,
  runToCompletion,
  startProcess,
  stopProcess,
  waitUntilOk,
  withSchema,
} from './processes.js'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 3)
const WARMUP_S = 2
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'
const REGISTER_PATH = '/web/api/v2/register'
const SELF = fileURLToPath(import.meta.url)

type Side = 'on' | 'off'
const SIDES: readonly Side[] = ['on', 'off']

interface LogStats {
  lines: number
  bytes: number
}

/** A destination that counts what pino writes and keeps none of it. */
function countingNullStream(): DestinationStream & LogStats {
  const sink = {
    lines: 0,
    bytes: 0,
    write(chunk: string) {
      sink.lines += 1
      sink.bytes += chunk.length
    },
  }
  return sink
}

// ---------------------------------------------------------------------------------------------
// The gateway process (`REDACTION_BENCH_ROLE=gateway`): the app with redaction on at PORT, off at
// REDACTION_BENCH_OFF_PORT, one database under both.

async function serveGateways(): Promise<void> {
  const config = loadConfig(process.env)
  const database = await openDatabase({
    databaseUrl: config.database.url,
    pgliteDataDir: config.database.pgliteDataDir,
    poolSize: config.database.poolSize,
  })
  if (database.kind === 'pglite') await database.migrate()
  const sinks: Record<Side, LogStats> = { on: countingNullStream(), off: countingNullStream() }
  const apps: FastifyInstance[] = []
  for (const side of SIDES) {
    const sink = sinks[side] as DestinationStream & LogStats
    const logger = createLogger(config.log.level, sink, { redact: side === 'on' })
    const app = await buildApp(config, { database, logger })
    const port = side === 'on' ? config.server.port : Number(process.env.REDACTION_BENCH_OFF_PORT)
    await app.listen({ host: config.server.host, port })
    apps.push(app)
  }
  // The driver asks over IPC how much each side has logged so far.
  process.on('message', (message) => {
    if (message === 'log-stats') process.send?.({ on: { ...sinks.on }, off: { ...sinks.off } })
  })
  process.once('SIGTERM', async () => {
    for (const app of apps) await app.close()
    await database.close()
    process.exit(0)
  })
}

// ---------------------------------------------------------------------------------------------
// The driver.

interface Measured {
  rps: number
  requests: number
  seconds: number
  p50_ms: number
  p99_ms: number
  failed: number
  log_lines_per_request: number
  log_bytes_per_request: number
}

interface LevelResult {
  level: 'info' | 'debug'
  get: Record<Side, Measured>
  post_error: Record<Side, Measured>
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'privy-gateway-redaction-'))
  const simulatorPort = await freePort()
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`
  const simulator = startProcess('src/simulator/server.ts', {
    SIM_HOST: '127.0.0.1',
    SIM_PORT: String(simulatorPort),
    LOG_LEVEL: 'warn',
  })
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-redaction')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET))
  const results: LevelResult[] = []
  try {
    await waitUntilOk(`${simulatorUrl}/__sim/health`)
    for (const [index, level] of (['info', 'debug'] as const).entries()) {
      process.stderr.write(`measuring LOG_LEVEL=${level}: ${ROUNDS} rounds of ${ROUND_S} s per side\n`)
      results.push(await measureLevel(level, { index, work, simulatorUrl, token }))
    }
  } finally {
    await stopProcess(simulator)
    await rm(work, { recursive: true, force: true })
  }

  const perLine = measureLoggerAlone()
  const ratio = (on: number, off: number) => Number((on / off).toFixed(3))
  const comparisons = results.map(({ level, get, post_error }) => ({
    level,
    get_rps: { on: get.on.rps, off: get.off.rps, ratio_on_over_off: ratio(get.on.rps, get.off.rps) },
    post_error_rps: {
      on: post_error.on.rps,
      off: post_error.off.rps,
      ratio_on_over_off: ratio(post_error.on.rps, post_error.off.rps),
    },
  }))
  const report = {
    machine:
      `${process.platform} ${process.arch}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
      `node ${process.version}, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    round_s: ROUND_S,
    results,
    comparisons,
    logger_alone_us_per_line: perLine,
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n`)
  for (const { level, get_rps, post_error_rps } of comparisons) {
    process.stdout.write(
      `${level.padEnd(5)}  GET /v1/registrations/{id}: ${get_rps.on} req/s with redaction, ${get_rps.off} without ` +
        `(ratio ${get_rps.ratio_on_over_off}); POST logging an error: ${post_error_rps.on} vs ${post_error_rps.off} ` +
        `(ratio ${post_error_rps.ratio_on_over_off})\n`,
    )
  }
  for (const [line, { on, off }] of Object.entries(perLine)) {
    process.stdout.write(`logger alone, ${line}: ${on} µs/line with redaction, ${off} without\n`)
  }
  const failures = results.reduce(
    (sum, result) =>
      sum +
      SIDES.reduce((inner, side) => inner + result.get[side].failed + result.post_error[side].failed, 0),
    0,
  )
  if (failures > 0) {
    process.stderr.write(`${failures} requests did not get the expected status\n`)
    process.exitCode = 1
  }
}

async function measureLevel(
  level: 'info' | 'debug',
  context: { index: number; work: string; simulatorUrl: string; token: string },
): Promise<LevelResult> {
  const { index, work, simulatorUrl, token } = context
  const [on = 0, off = 0] = await freePorts(2)
  const ports: Record<Side, number> = { on, off }
  const urls: Record<Side, string> = {
    on: `http://127.0.0.1:${ports.on}`,
    off: `http://127.0.0.1:${ports.off}`,
  }
  // Each level starts from an empty database: a PGlite directory, or a PostgreSQL schema of its own.
  const schema = `bench_redaction_${level}_${randomBytes(4).toString('hex')}`
  const databaseUrl = process.env.DATABASE_URL ? withSchema(process.env.DATABASE_URL, schema) : ''
  if (databaseUrl) await runToCompletion('src/cli/migrate.ts', { DATABASE_URL: databaseUrl })
  const gateway = spawn(process.execPath, ['--import', 'tsx', SELF], {
    env: {
      ...process.env,
      REDACTION_BENCH_ROLE: 'gateway',
      REDACTION_BENCH_OFF_PORT: String(ports.off),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(ports.on),
      LOG_LEVEL: level,
      BACKGROUND_JOBS_ENABLED: 'false',
      ...simulatorPrivyEnv(simulatorUrl),
      AUTH_JWT_SECRET: JWT_SECRET,
      PGLITE_DATA_DIR: join(work, `pglite-${index}`),
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    await waitUntilOk(`${urls.on}/health/ready`, 120_000)
    await waitUntilOk(`${urls.off}/health/ready`, 120_000)
    await simulatorCall(simulatorUrl, 'DELETE', '/__sim/faults')
    const registrationId = await seedRegistration(urls.on, token)
    // From here on Privy answers every registration 500: each POST fails and logs its error.
    await simulatorCall(simulatorUrl, 'POST', '/__sim/faults', {
      path: REGISTER_PATH,
      kind: 'status',
      status: 500,
      sticky: true,
    })
    let serial = index * 100_000_000
    const getTarget = (side: Side): autocannon.Options => ({
      url: `${urls[side]}/v1/registrations/${registrationId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    const postTarget = (side: Side): autocannon.Options => ({
      url: urls[side],
      requests: [
        {
          method: 'POST',
          path: '/v1/registrations',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          setupRequest: (outgoing) => {
            serial += 1
            return {
              ...outgoing,
              body: JSON.stringify({
                registration_type: 'landing_page',
                name: 'Bench Redaction',
                email: `bench.${serial}@example.co.id`,
                phone: `628${String(serial).padStart(10, '0')}`,
              }),
            }
          },
        },
      ],
    })
    for (const side of SIDES) {
      await run({ ...getTarget(side), duration: WARMUP_S })
      await run({ ...postTarget(side), duration: WARMUP_S })
    }
    return {
      level,
      get: await alternate(gateway, getTarget, 200),
      post_error: await alternate(gateway, postTarget, 502),
    }
  } finally {
    await stopProcess(gateway)
    if (databaseUrl && process.env.DATABASE_URL) await dropSchema(process.env.DATABASE_URL, schema)
  }
}

/** ROUNDS rounds of ROUND_S seconds a side, the side that starts alternating; the sums per side. */
async function alternate(
  gateway: ChildProcess,
  target: (side: Side) => autocannon.Options,
  expectedStatus: number,
): Promise<Record<Side, Measured>> {
  const totals = Object.fromEntries(
    SIDES.map((side) => [side, { requests: 0, ms: 0, failed: 0, lines: 0, bytes: 0, p50: [], p99: [] }]),
  ) as unknown as Record<
    Side,
    {
      requests: number
      ms: number
      failed: number
      lines: number
      bytes: number
      p50: number[]
      p99: number[]
    }
  >
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] = round % 2 === 0 ? ['on', 'off'] : ['off', 'on']
    for (const side of order) {
      const before = (await logStats(gateway))[side]
      const started = performance.now()
      const result = await run({ ...target(side), duration: ROUND_S })
      const ms = performance.now() - started
      const after = (await logStats(gateway))[side]
      const total = totals[side]
      const counts = result.statusCodeStats as Record<string, { count: number } | undefined> | undefined
      total.requests += result.requests.total
      total.ms += ms
      total.failed += result.errors + result.requests.total - (counts?.[String(expectedStatus)]?.count ?? 0)
      total.lines += after.lines - before.lines
      total.bytes += after.bytes - before.bytes
      total.p50.push(result.latency.p50)
      total.p99.push(result.latency.p99)
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
  const summary = (side: Side): Measured => {
    const total = totals[side]
    const requests = Math.max(total.requests, 1)
    return {
      rps: Math.round(total.requests / (total.ms / 1000)),
      requests: total.requests,
      seconds: Number((total.ms / 1000).toFixed(1)),
      p50_ms: median(total.p50),
      p99_ms: median(total.p99),
      failed: total.failed,
      log_lines_per_request: Number((total.lines / requests).toFixed(2)),
      log_bytes_per_request: Math.round(total.bytes / requests),
    }
  }
  return { on: summary('on'), off: summary('off') }
}

function logStats(child: ChildProcess): Promise<Record<Side, LogStats>> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as Record<Side, LogStats>))
    child.send('log-stats')
  })
}

const run = (options: autocannon.Options) => autocannon({ connections: CONNECTIONS, ...options })

async function simulatorCall(simulatorUrl: string, method: 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await request(`${simulatorUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.body.text()
  if (response.statusCode >= 300)
    throw new Error(`simulator ${method} ${path}: ${response.statusCode} ${text}`)
}

async function seedRegistration(gatewayUrl: string, token: string): Promise<string> {
  const created = await request(`${gatewayUrl}/v1/registrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      registration_type: 'landing_page',
      name: 'Bench Redaction',
      email: 'bench.redaction@example.co.id',
      phone: '6281234567890',
    }),
  })
  const body = (await created.body.json()) as { id?: string }
  if (created.statusCode !== 201 || !body.id) throw new Error(`seeding failed: ${created.statusCode}`)
  return body.id
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

// ---------------------------------------------------------------------------------------------
// The logger alone: the lines above, written many times to a null stream, redaction on and off.

function measureLoggerAlone(): Record<string, Record<Side, number>> {
  const iterations = 100_000
  const requestLike = {
    method: 'GET',
    url: '/v1/registrations/0b0d5f8e-5a3c-4a57-9d0c-7f1e3b2a9c11?refresh=true',
    id: 'a3f1c2d4-7b1e-4c2a-9e8f-5d6c7b8a9f01',
  }
  const upstream = new PrivyServerError(
    500,
    { code: 500, messages: ['Internal error'], fieldErrors: [] },
    { operation: 'registrations.register', requestId: 'b1c2d3e4-5f6a-4b7c-8d9e-0f1a2b3c4d5e' },
  )
  const failure = new AppError('UPSTREAM_ERROR', {
    detail: 'Privy answered 500. The outcome is not known yet; follow registration 0b0d5f8e',
    upstream: { status: 500, code: 500, request_id: upstream.requestId },
    extensions: { registration_id: '0b0d5f8e-5a3c-4a57-9d0c-7f1e3b2a9c11' },
    cause: upstream,
  })
  const privyEvent = {
    operation: 'registrations.register',
    path: REGISTER_PATH,
    requestId: upstream.requestId,
    attempt: 1,
    status: 500,
    durationMs: 3.21,
  }
  type Log = ReturnType<typeof createLogger>
  const lines: Record<string, (log: Log) => void> = {
    'incoming request': (log) => log.info({ req: requestLike }, 'incoming request'),
    'request completed': (log) =>
      log.info({ res: { statusCode: 200 }, responseTime: 1.23 }, 'request completed'),
    'privy call (debug)': (log) => log.debug({ privy: privyEvent }, 'privy call'),
    'request failed (err)': (log) => log.error({ err: failure, code: failure.code }, 'request failed'),
  }
  const timeOf = (write: (log: Log) => void, side: Side) => {
    const log = createLogger('debug', countingNullStream(), { redact: side === 'on' }).child({
      reqId: requestLike.id,
    })
    for (let index = 0; index < 10_000; index++) write(log) // warm-up
    const started = performance.now()
    for (let index = 0; index < iterations; index++) write(log)
    return ((performance.now() - started) * 1000) / iterations
  }
  return Object.fromEntries(
    Object.entries(lines).map(([name, write]) => {
      // Three alternated runs a side, the fastest kept: the least disturbed by the rest of the machine.
      const best: Record<Side, number> = { on: Number.POSITIVE_INFINITY, off: Number.POSITIVE_INFINITY }
      for (let repeat = 0; repeat < 3; repeat++) {
        for (const side of repeat % 2 === 0 ? SIDES : [...SIDES].reverse()) {
          best[side] = Math.min(best[side], timeOf(write, side))
        }
      }
      return [name, { on: Number(best.on.toFixed(2)), off: Number(best.off.toFixed(2)) }]
    }),
  )
}

if (process.env.REDACTION_BENCH_ROLE === 'gateway') await serveGateways()
else await main()
