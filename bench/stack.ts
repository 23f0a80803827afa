/**
 * The processes of `npm run bench`'s status benchmark, each with its own event loop: the simulator,
 * the fast upstream stub in front of it, and the three contenders on that one upstream: the gateway
 * (compiled JS from dist/, as `npm run start:prod` runs it, LOG_LEVEL=info, PostgreSQL with a pool of
 * 32), the bare signing proxy and the Express + axios peer.
 */
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simulatorPrivyEnv } from '../src/simulator/dev-credentials.js'
import {
  freePorts,
  queriesOf,
  runToCompletion,
  startCompiledGateway,
  startProcess,
  stopProcess,
  waitUntilOk,
  withSchema,
} from './processes.js'
import type { SeedKeys } from './seed.js'

/** The gateway's PostgreSQL application_name, by which its backends' CPU is found (one per bench schema). */
export function gatewayApplicationName(schema: string): string {
  return `privy-bench-${schema}`
}

export interface Contender {
  name: 'gateway' | 'proxy' | 'peer' | 'baseline'
  url: string
  process: ChildProcess
}

export interface StatusStack {
  gateway: Contender
  proxy: Contender
  peer: Contender
  /** BENCH_BASELINE_ENTRY: another build of the gateway, run beside it in the same rounds. */
  baseline: Contender | undefined
  upstreamUrl: string
  /** The gateway's database (PostgreSQL schema URL), or '' on PGlite. */
  databaseUrl: string
  pgliteDir: string
  schema: string
  keys: SeedKeys
  /** Queries the gateway's pg clients have sent so far (PostgreSQL only). */
  gatewayQueries(contender?: Contender): Promise<number | null>
  /** One more gateway on the same database and upstream, with `env` on top (stopped by `stop`). */
  extraGateway(env: Record<string, string>): Promise<Contender>
  stop(): Promise<void>
}

export async function startStatusStack(options: {
  jwtSecret: string
  schema: string
  /** Seeds the gateway's database after migrations and before the gateway starts. */
  seed: (stack: { databaseUrl: string; pgliteDir: string; keys: SeedKeys }) => Promise<void>
  postgres: boolean
  env?: Record<string, string>
}): Promise<StatusStack> {
  const [simPort = 0, stubPort = 0, gatewayPort = 0, proxyPort = 0, peerPort = 0] = await freePorts(5)
  const url = (port: number) => `http://127.0.0.1:${port}`
  const keys: SeedKeys = {
    encryptionKey: randomBytes(32).toString('base64'),
    lookupKey: randomBytes(32).toString('base64'),
  }
  const pgliteDir = options.postgres ? '' : await mkdtemp(join(tmpdir(), 'privy-gateway-bench-'))
  const databaseUrl =
    options.postgres && process.env.DATABASE_URL ? withSchema(process.env.DATABASE_URL, options.schema) : ''
  const children: ChildProcess[] = []
  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child)
    if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true })
  }
  try {
    children.push(
      startProcess('src/simulator/server.ts', {
        SIM_HOST: '127.0.0.1',
        SIM_PORT: String(simPort),
        LOG_LEVEL: 'warn',
      }),
      startProcess('bench/contenders/upstream.ts', { STUB_PORT: String(stubPort), SIM_URL: url(simPort) }),
    )
    await waitUntilOk(`${url(simPort)}/__sim/health`, 180_000)
    const migrateEnv = { DATABASE_URL: databaseUrl, PGLITE_DATA_DIR: pgliteDir, ...keysEnv(keys) }
    await runToCompletion('src/cli/migrate.ts', migrateEnv)
    await options.seed({ databaseUrl, pgliteDir, keys })
    const appUrl = new URL(databaseUrl || 'postgresql://unused')
    appUrl.searchParams.set('application_name', gatewayApplicationName(options.schema))
    const gatewayEnv = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      LOG_LEVEL: 'info',
      ...simulatorPrivyEnv(url(stubPort)),
      AUTH_JWT_SECRET: options.jwtSecret,
      OPS_API_KEY_HASHES: createHash('sha256').update('bench-operator-key').digest('hex'),
      ...keysEnv(keys),
      DATABASE_URL: databaseUrl ? appUrl.toString() : '',
      DATABASE_POOL_SIZE: '32',
      PGLITE_DATA_DIR: pgliteDir,
      // A cold read is one of a record synced within the refresh interval (seeded rows are synced at
      // seed time): whether the heartbeat write of a stale one falls into a scenario must not depend on
      // how long the scenarios before it took on a loaded machine.
      REGISTRATION_REFRESH_AFTER_SECONDS: '3600',
      // The OTP send bench sends thousands from one user and one address: the limits would answer 429.
      OTP_SENDS_PER_USER_PER_HOUR: '100000000',
      OTP_SENDS_PER_IP_PER_HOUR: '100000000',
      OTP_DAILY_BUDGET: '100000000',
      ...options.env,
    }
    const gateway = startCompiledGateway(gatewayEnv)
    children.push(gateway)
    const contenderEnv = { UPSTREAM_URL: url(stubPort), AUTH_JWT_SECRET: options.jwtSecret }
    const proxy = startProcess('bench/contenders/proxy.ts', { ...contenderEnv, PORT: String(proxyPort) })
    const peer = startProcess('bench/contenders/peer.ts', { ...contenderEnv, PORT: String(peerPort) })
    children.push(proxy, peer)
    // BENCH_BASELINE_ENTRY=<another build's server.js>: a before/after pair in one interleaved run.
    const baselineEntry = process.env.BENCH_BASELINE_ENTRY
    const [baselinePort = 0] = baselineEntry ? await freePorts(1) : []
    const baseline = baselineEntry
      ? startCompiledGateway({ ...gatewayEnv, PORT: String(baselinePort) }, true)
      : undefined
    if (baseline) children.push(baseline)
    // Generous: on a machine shared with other work, a compiled start has taken over a minute.
    await waitUntilOk(`${url(gatewayPort)}/health/ready`, 180_000)
    if (baseline) await waitUntilOk(`${url(baselinePort)}/health/ready`, 180_000)
    await waitForListening(url(proxyPort))
    await waitForListening(url(peerPort))
    return {
      gateway: { name: 'gateway', url: url(gatewayPort), process: gateway },
      proxy: { name: 'proxy', url: url(proxyPort), process: proxy },
      peer: { name: 'peer', url: url(peerPort), process: peer },
      baseline: baseline && { name: 'baseline', url: url(baselinePort), process: baseline },
      upstreamUrl: url(stubPort),
      databaseUrl,
      pgliteDir,
      schema: options.schema,
      keys,
      gatewayQueries: (contender) =>
        databaseUrl !== '' ? queriesOf(contender?.process ?? gateway) : Promise.resolve(null),
      extraGateway: async (env) => {
        const [port = 0] = await freePorts(1)
        const extra = startCompiledGateway({ ...gatewayEnv, PORT: String(port), ...env })
        children.push(extra)
        await waitUntilOk(`${url(port)}/health/ready`, 180_000)
        return { name: 'gateway', url: url(port), process: extra }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

function keysEnv(keys: SeedKeys): Record<string, string> {
  return { PII_ENCRYPTION_KEY: keys.encryptionKey, PII_LOOKUP_KEY: keys.lookupKey }
}

/** Proxy and peer have no health route: any HTTP answer means they listen. */
async function waitForListening(baseUrl: string): Promise<void> {
  const { request } = await import('undici')
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    try {
      const response = await request(`${baseUrl}/`)
      await response.body.dump()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`${baseUrl} is not listening`)
}
