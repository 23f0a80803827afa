import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { SignJWT } from 'jose'
import { type FormData, request } from 'undici'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/config.js'
import type { Database } from '../../src/db/database.js'
import { type PiiCipher, piiCipherOf } from '../../src/lib/pii-crypto.js'
import { createLogger } from '../../src/logging.js'
import { DEV_CREDENTIALS, simulatorPrivyEnv } from '../../src/simulator/dev-credentials.js'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { openTestDatabase } from './database.js'
import { LogCapture } from './log-capture.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789'
export const TEST_API_KEY = 'ops_test_key_0123456789abcdef'

export interface TestGateway {
  app: FastifyInstance
  url: string
  simulator: RunningSimulator
  database: Database
  logs: LogCapture
  /** The gateway's PII cipher: tests open sealed columns (Privy tokens) with it. */
  pii: PiiCipher
  /** Every secret the gateway holds: none may appear in a response or a log line. */
  secrets: string[]
  userToken(sub: string, claims?: Record<string, unknown>, expiresIn?: string): Promise<string>
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>
  sim(method: string, path: string, body?: unknown): Promise<CallResult>
  /** The gateway's clock (services only; JWTs and Privy timestamps use the real one). */
  clock: { advance(ms: number): void; offset(): number }
  /** Makes the simulator send its callbacks to this gateway. */
  enableCallbacks(): Promise<void>
  close(): Promise<void>
}

/** A second gateway instance on the first one's database and simulator (many-instance tests). */
export interface SharedParts {
  database?: Database
  simulator?: RunningSimulator
}

export interface CallOptions {
  token?: string
  apiKey?: string
  body?: unknown
  form?: FormData
  rawBody?: string | Buffer
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any
}

/**
 * The real gateway on a real socket, with a real database (PostgreSQL when DATABASE_URL is set,
 * PGlite otherwise) and the real simulator on its own socket.
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  shared: SharedParts = {},
): Promise<TestGateway> {
  let clockOffsetMs = 0
  const simulator = shared.simulator ?? (await startSimulator({ host: '127.0.0.1', port: 0 }))
  const database = shared.database ?? (await openTestDatabase())
  const logs = new LogCapture()
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    ...simulatorPrivyEnv(simulator.url),
    PRIVY_TIMEOUT_MS: '2000',
    SHUTDOWN_GRACE_MS: '1000',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    OPS_API_KEY_HASHES: createHash('sha256').update(TEST_API_KEY).digest('hex'),
    // Tests reuse one phone number and one address: the abuse limits have tests of their own
    // (otp-limits*.test.ts), which set them; elsewhere they stay out of the way.
    OTP_SENDS_PER_USER_PER_HOUR: '100000',
    OTP_SENDS_PER_PHONE_PER_HOUR: '100000',
    OTP_SENDS_PER_PHONE_PER_DAY: '100000',
    OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR: '100000',
    OTP_SENDS_PER_IP_PER_HOUR: '100000',
    OTP_SENDS_PER_EMAIL_PER_HOUR: '100000',
    OTP_SENDS_PER_EMAIL_PER_DAY: '100000',
    OTP_DAILY_BUDGET: '100000',
    ...env,
  })
  const app = await buildApp(config, {
    database,
    logger: createLogger('debug', logs.stream),
    now: () => new Date(Date.now() + clockOffsetMs),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('gateway did not listen on a port')
  const url = `http://127.0.0.1:${address.port}`

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    if (options.apiKey) headers['x-api-key'] = options.apiKey
    let body: string | Buffer | FormData | undefined = options.rawBody ?? options.form
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await request(`${url}${path}`, {
      method: method as 'GET',
      headers,
      body,
    })
    const text = await response.body.text()
    return { status: response.statusCode, headers: response.headers, text, json: parseJson(text) }
  }

  const sim = async (method: string, path: string, body?: unknown): Promise<CallResult> => {
    const response = await request(`${simulator.url}${path}`, {
      method: method as 'GET',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.body.text()
    return { status: response.statusCode, headers: response.headers, text, json: parseJson(text) }
  }

  return {
    app,
    url,
    simulator,
    database,
    logs,
    pii: piiCipherOf(config.pii),
    secrets: [
      TEST_JWT_SECRET,
      TEST_API_KEY,
      DEV_CREDENTIALS.clientSecret,
      DEV_CREDENTIALS.apiSecret,
      DEV_CREDENTIALS.enterpriseToken,
    ],
    userToken: (sub, claims = {}, expiresIn = '10m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    call,
    sim,
    clock: {
      advance: (ms) => {
        clockOffsetMs += ms
      },
      offset: () => clockOffsetMs,
    },
    enableCallbacks: async () => {
      const response = await sim('POST', '/__sim/settings', { callback_url: `${url}/v1/privy/callbacks` })
      if (response.status >= 300) throw new Error(`simulator refused the callback URL: ${response.text}`)
    },
    close: async () => {
      await app.close()
      // Shared parts belong to the gateway that opened them.
      if (!shared.simulator) await simulator.close()
      if (!shared.database) await database.close()
    },
  }
}

/** A gateway's environment, or a function that makes it when the gateway starts (a temp directory...). */
export type GatewayEnv =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>)

/**
 * The gateway of a test file (or of the describe block it is called in): started by a beforeAll
 * registered here, closed by the matching afterAll. The object it returns is filled in when the
 * gateway starts, so read its fields in tests and hooks, never while the file is being collected.
 * Hooks registered after this call run after the gateway started and, on the way out, before it closes.
 */
export function useGateway(env: GatewayEnv = {}, shared: () => SharedParts = () => ({})): TestGateway {
  const gateway = {} as TestGateway
  beforeAll(async () => {
    Object.assign(gateway, await startTestGateway(typeof env === 'function' ? await env() : env, shared()))
  })
  afterAll(async () => {
    // Undefined when the start failed: vitest reports that failure, not this one.
    await gateway.close?.()
  })
  return gateway
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
