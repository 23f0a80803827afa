import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPrivyClient, type PrivyAttemptEvent, type PrivyClientOptions } from '../../src/privy/index.js'

/**
 * A scripted Privy over a real loopback socket, so timeouts, dropped sockets, slow drips and oversize
 * bodies behave as they do in production. Each path gets a list of responders; the n-th call uses the
 * n-th one and the last repeats.
 */

export interface RecordedCall {
  path: string
  headers: IncomingHttpHeaders
  body: string
  json: Record<string, unknown>
}

export type Responder = (res: ServerResponse, call: RecordedCall, req: IncomingMessage) => void

export interface FakePrivy {
  baseUrl: string
  calls: RecordedCall[]
  callsTo(path: string): RecordedCall[]
  close(): Promise<void>
}

export const TOKEN_PATH = '/oauth2/api/v1/token'
export const REGISTER_PATH = '/web/api/v2/register'
export const STATUS_PATH = '/web/api/v2/register/status'

export const CREDENTIALS = {
  clientId: 'client-id-123',
  clientSecret: 'client-secret-SHOULD-NOT-LEAK',
  apiKey: 'ak_test_123',
  apiSecret: 'sk_test_456',
  channelId: 'CH-TEST',
}

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

export const created = (data: unknown): Responder => reply(201, { message: 'OK', data })

export const errorReply = (status: number, errors: unknown[] = ['failed'], extra: object = {}): Responder =>
  reply(status, { error: { code: status, errors }, ...extra })

export const tokenReply = (accessToken = 'token-1', expiresIn = 3600): Responder =>
  created({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: expiresIn,
    created_at: '2026-11-25',
  })

/** Never answers; the socket stays open until the client gives up or the server closes. */
export const hang: Responder = () => {}

/** Drops the connection after the request arrived, without any response. */
export const dropSocket: Responder = (_res, _call, req) => {
  req.socket.destroy()
}

/**
 * A request the test answers by hand: `responder` holds every request it gets, `answer` replies to the
 * latest one (a no-op once the client went away), `drop` destroys its socket. `clientGone` turns true
 * when the client closed the connection before an answer, which is how a test sees an abort.
 */
export interface HeldRequests {
  responder: Responder
  /** How many requests arrived. */
  readonly count: number
  readonly clientGone: boolean
  answer(responder: Responder): void
  drop(): void
}

export function held(): HeldRequests {
  let latest: { res: ServerResponse; call: RecordedCall; req: IncomingMessage } | undefined
  let count = 0
  let clientGone = false
  return {
    responder: (res, call, req) => {
      count++
      latest = { res, call, req }
      res.on('close', () => {
        if (!res.writableEnded) clientGone = true
      })
    },
    get count() {
      return count
    },
    get clientGone() {
      return clientGone
    },
    answer(responder) {
      if (latest === undefined) throw new Error('no request is held')
      if (clientGone) return
      responder(latest.res, latest.call, latest.req)
    },
    drop() {
      latest?.req.socket.destroy()
    },
  }
}

export const REGISTERED = {
  reference_number: 'REG-0001',
  channel_id: 'CH-TEST',
  register_token: 'rt-1',
  status: 'pending',
  registration_url: 'https://privy.example/kyc/rt-1',
}

export const STATUS_DATA = {
  reference_number: 'REG-0001',
  channel_id: 'CH-TEST',
  register_token: 'rt-1',
  status: 'waiting_verification',
  email: 'siti@example.co.id',
  phone: '6281234567890',
  updated_at: '2026-11-25T10:00:00+07:00',
}

export async function startFakePrivy(routes: Record<string, Responder[]>): Promise<FakePrivy> {
  const calls: RecordedCall[] = []
  const withToken: Record<string, Responder[]> = { [TOKEN_PATH]: [tokenReply()], ...routes }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const path = req.url ?? ''
      const call: RecordedCall = { path, headers: req.headers, body, json: parseObject(body) }
      calls.push(call)
      const script = withToken[path]
      if (script === undefined || script.length === 0)
        return reply(404, { error: { code: 404, errors: [] } })(res, call, req)
      const index = Math.min(calls.filter((c) => c.path === path).length, script.length) - 1
      script[index]?.(res, call, req)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = addressOf(server.address())
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function addressOf(address: string | AddressInfo | null): AddressInfo {
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  return address
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {}
  } catch {
    return {}
  }
}

export interface TestClientHandles {
  events: PrivyAttemptEvent[]
  sleeps: number[]
  clock: { now: Date }
}

/** A client with a controllable clock, recorded sleeps (no real waiting) and recorded attempt events. */
export function testClient(baseUrl: string, overrides: Partial<PrivyClientOptions> = {}) {
  const handles: TestClientHandles = {
    events: [],
    sleeps: [],
    clock: { now: new Date('2026-11-25T03:00:00Z') },
  }
  const client = createPrivyClient({
    baseUrl,
    ...CREDENTIALS,
    timeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    now: () => handles.clock.now,
    sleep: async (ms) => {
      handles.sleeps.push(ms)
    },
    random: () => 0.5,
    onAttempt: (event) => handles.events.push(event),
    ...overrides,
  })
  return { client, ...handles }
}
