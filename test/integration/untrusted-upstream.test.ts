import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LandingPageRegistrationRequest } from '@privy-gateway/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getRegistration } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { startTestGateway, type TestGateway, useGateway } from '../helpers/gateway.js'
import { internalLeaks } from '../helpers/response-hygiene.js'
import {
  created,
  type FakePrivy,
  REGISTER_PATH,
  type Responder,
  STATUS_PATH,
  startFakePrivy,
} from '../unit/privy-fake-server.js'

/**
 * Privy's answers are untrusted input too (OWASP API10): through the gateway's own HTTP API, an
 * oversized body is cut off and answered 502, malformed JSON is 502, a redirect is never followed
 * (502, and its target never hears from us), a slow drip ends at the deadline (504), and a request
 * that outlives REQUEST_TIMEOUT_MS answers 503. Nothing of what Privy sent reaches the caller.
 *
 * Privy here is a scripted server on a real socket (test/unit/privy-fake-server.ts) and, for the
 * fault kinds it has, the project's simulator (`POST /__sim/faults`).
 */

const PRIVY_TIMEOUT_MS = 1_000
/** The register call is listened to this long in the background after the caller got its 504. */
const PRIVY_LATE_ANSWER_MS = 1_500
/** In every body the fake Privy sends: it must never show up in an answer of the gateway. */
const MARKER = `UPSTREAM-MARKER-${randomUUID()}`

/** What the fake answers on a path right now; each test sets it. */
const script: Record<string, Responder> = {}
let privy: FakePrivy
/** Where redirects point: it must never receive a request. */
let elsewhere: { url: string; hits: string[]; close(): Promise<void> }
let token: string

beforeAll(async () => {
  privy = await startFakePrivy({
    [REGISTER_PATH]: [(res, call, req) => (script[REGISTER_PATH] ?? registered)(res, call, req)],
    [STATUS_PATH]: [(res, call, req) => (script[STATUS_PATH] ?? statusOk)(res, call, req)],
    '/elsewhere': [(res) => res.end('followed')],
  })
  elsewhere = await startRecorder()
})
// Registered first, so it runs last: after the gateway that calls them closed.
afterAll(async () => {
  await privy?.close()
  await elsewhere?.close()
})
const gateway = useGateway(() => ({
  PRIVY_BASE_URL: privy.baseUrl,
  PRIVY_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
  PRIVY_LATE_ANSWER_MS: String(PRIVY_LATE_ANSWER_MS),
  BACKGROUND_JOBS_ENABLED: 'false',
}))
beforeAll(async () => {
  token = await gateway.userToken('upstream-user')
})

// --- the fake Privy's answers --------------------------------------------------------------------

const registered: Responder = (res, call, req) =>
  created({
    reference_number: call.json.reference_number,
    channel_id: call.json.channel_id ?? 'CH',
    register_token: `rt-${randomUUID()}`,
    status: 'pending',
    registration_url: 'https://privy.example/kyc',
  })(res, call, req)

const statusOk: Responder = (res, call, req) =>
  created({
    reference_number: call.json.reference_number,
    channel_id: call.json.channel_id ?? 'CH',
    register_token: call.json.register_token,
    status: 'waiting_verification',
    email: 'x@example.co.id',
    phone: '6281234567890',
    updated_at: new Date().toISOString(),
  })(res, call, req)

/** A JSON success whose text stops half-way, with the marker in the part that did arrive. */
const truncatedJson: Responder = (res) => {
  res.writeHead(201, { 'content-type': 'application/json' })
  res.end(`{"message":"OK","data":{"reference_number":"${MARKER}","register_token":"rt-`)
}

const notJsonAtAll: Responder = (res) => {
  res.writeHead(201, { 'content-type': 'application/json' })
  res.end(`<html><body>${MARKER} Internal proxy error at /opt/privy/app.js:12</body></html>`)
}

/** Writes `status` with a body that never ends (64 KiB chunks), recording how much was sent. */
function endless(
  status: number,
  record: { sent: number; closed: boolean },
  declareLength = false,
): Responder {
  return (res) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': String(50 * 1024 * 1024) } : {}),
    })
    const chunk = Buffer.from(`{"message":"${MARKER}","data":"${'x'.repeat(64 * 1024)}`)
    const pump = () => {
      while (!res.destroyed && record.sent < 50 * 1024 * 1024) {
        record.sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
    }
    res.on('close', () => {
      record.closed = true
    })
    pump()
  }
}

/** Headers at once, then a byte of a valid body every 100 ms: never done before any deadline. */
function drip(record: { closedAfterMs?: number }): Responder {
  return (res) => {
    const started = Date.now()
    res.writeHead(201, { 'content-type': 'application/json' })
    res.write(`{"message":"${MARKER}","data":{`)
    const timer = setInterval(() => {
      if (!res.destroyed) res.write(' ')
    }, 100)
    res.on('close', () => {
      clearInterval(timer)
      record.closedAfterMs = Date.now() - started
    })
  }
}

const redirectTo =
  (status: number, location: string): Responder =>
  (res) => {
    res.writeHead(status, { location, 'content-type': 'application/json' })
    res.end(JSON.stringify({ message: MARKER, data: { moved_to: location } }))
  }

// --- helpers --------------------------------------------------------------------------------------

let people = 0
/** `POST /v1/registrations` of a landing page on `via` as `sub` (this file's user by default), answered as is. */
async function registerOn(via: TestGateway, body: LandingPageRegistrationRequest, sub = 'upstream-user') {
  return answered(await (await clientFor(via, sub)).raw.POST('/v1/registrations', { body }))
}

/** What the checks read of an answer. */
type Answer = Awaited<ReturnType<typeof registerOn>>

function register(): Promise<Answer> {
  people += 1
  return registerOn(gateway, {
    registration_type: 'landing_page',
    name: 'Rina Wijaya',
    email: `rina.${people}.${randomUUID().slice(0, 8)}@example.co.id`,
    phone: `62812${String(10_000_000 + people).slice(-8)}`,
  })
}

/** `GET /v1/registrations/{id}?refresh=true` as this file's user, answered as is. */
async function refresh(id: string) {
  const client = await clientFor(gateway, { token })
  return answered(
    await client.raw.GET('/v1/registrations/{id}', { params: { path: { id }, query: { refresh: 'true' } } }),
  )
}

/** A registration that Privy accepted, so its status can be refreshed. */
async function submittedRegistration(): Promise<string> {
  delete script[REGISTER_PATH]
  const answer = await register()
  expect(answer.status, answer.text).toBe(201)
  return answer.data?.id ?? ''
}

/** The parts of an answer these checks read: a registration's create or its refresh. */
type Checked = Pick<Answer, 'status' | 'headers' | 'text'> & { error?: Answer['error'] }

function expectProblem(answer: Checked, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.headers.get('content-type')).toContain('application/problem+json')
  expect(answer.error).toMatchObject({ status, code, request_id: expect.any(String) })
  expectNothingOfUpstream(answer)
}

function expectNothingOfUpstream(answer: Checked, ...also: string[]) {
  for (const value of [MARKER, '/opt/privy', 'Internal proxy error', ...also]) {
    expect(answer.text).not.toContain(value)
    expect(JSON.stringify([...answer.headers])).not.toContain(value)
  }
  expect(internalLeaks(answer.text)).toEqual([])
  for (const secret of gateway.secrets) expect(answer.text).not.toContain(secret)
}

async function startRecorder() {
  const hits: string[] = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push(`${req.method} ${req.url}`)
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// --- the cases ------------------------------------------------------------------------------------

describe('an oversized answer from Privy', () => {
  it('is cut off unread and answered 502, whether its length is declared or it just keeps coming', async () => {
    for (const declareLength of [true, false]) {
      const record = { sent: 0, closed: false }
      script[REGISTER_PATH] = endless(201, record, declareLength)
      const answer = await register()
      expectProblem(answer, 502, 'UPSTREAM_ERROR')
      expect(answer.error?.detail).toMatch(/^Privy answered with a response the gateway could not read/)
      await expect.poll(() => record.closed, { timeout: 5_000 }).toBe(true)
      // The gateway stopped reading near its 1 MiB cap: the rest of the 50 MiB was never downloaded.
      expect(record.sent).toBeLessThan(16 * 1024 * 1024)
    }
  })

  it('is still cut off when it is an error answer (a 500 with a huge page): 502', async () => {
    const record = { sent: 0, closed: false }
    script[REGISTER_PATH] = endless(500, record)
    const answer = await register()
    expectProblem(answer, 502, 'UPSTREAM_ERROR')
    expect(answer.error?.upstream?.status).toBe(500)
    await expect.poll(() => record.closed, { timeout: 5_000 }).toBe(true)
    expect(record.sent).toBeLessThan(16 * 1024 * 1024)
  })

  it('on a safe read (status refresh) is 502 UPSTREAM_UNREADABLE, and the stored registration is untouched', async () => {
    const id = await submittedRegistration()
    const record = { sent: 0, closed: false }
    script[STATUS_PATH] = endless(201, record)
    try {
      const answer = await refresh(id)
      // A read changes nothing at Privy: no outcome to settle, only an answer that could not be read.
      expectProblem(answer, 502, 'UPSTREAM_UNREADABLE')
      expect(answer.error?.upstream?.request_id).toEqual(expect.any(String))
    } finally {
      delete script[STATUS_PATH]
    }
    const stored = await getRegistration(gateway, { token }, id)
    expect(stored.status).toBe('pending')
  })
})

describe('malformed JSON from Privy', () => {
  it('on a 201 (cut off half-way, or not JSON at all) is 502 and quotes none of it', async () => {
    for (const responder of [truncatedJson, notJsonAtAll]) {
      script[REGISTER_PATH] = responder
      const answer = await register()
      expectProblem(answer, 502, 'UPSTREAM_ERROR')
      // Privy may have registered the person before its answer broke: the outcome is unknown, not failed.
      expect(answer.error?.registration_id).toEqual(expect.any(String))
    }
  })

  it('from the simulator (fault malformed_json) is 502', async () => {
    const simulated = await startTestGateway({
      PRIVY_TIMEOUT_MS: '1000',
      PRIVY_LATE_ANSWER_MS: '1500',
      BACKGROUND_JOBS_ENABLED: 'false',
    })
    try {
      const fault = await simulated.sim('POST', '/__sim/faults', {
        path: REGISTER_PATH,
        kind: 'malformed_json',
      })
      expect(fault.status, fault.text).toBe(201)
      const answer = await registerOn(
        simulated,
        {
          registration_type: 'landing_page',
          name: 'Sari',
          email: 'sari.sim@example.co.id',
          phone: '6281311112222',
        },
        'sim-user',
      )
      expect(answer.status, answer.text).toBe(502)
      expect(answer.error?.code).toBe('UPSTREAM_ERROR')
      expect(internalLeaks(answer.text)).toEqual([])
    } finally {
      await simulated.close()
    }
  })
})

describe('a redirect from Privy', () => {
  it('is never followed, to another host or to another path: 502, and the target sees nothing', async () => {
    for (const [status, location] of [
      [302, `${elsewhere.url}/web/api/v2/register`],
      [307, `${elsewhere.url}/steal?token=1`],
      [308, `${elsewhere.url}/`],
      [301, '/elsewhere'],
      [303, 'http://169.254.169.254/latest/meta-data/'],
    ] as const) {
      script[REGISTER_PATH] = redirectTo(status, location)
      const answer = await register()
      expectProblem(answer, 502, 'UPSTREAM_ERROR')
      expect(answer.error?.upstream?.status).toBe(status)
      expect(answer.headers.get('location')).toBeNull()
      expectNothingOfUpstream(answer, location, elsewhere.url)
    }
    expect(elsewhere.hits).toEqual([])
    expect(privy.callsTo('/elsewhere')).toEqual([])
  })

  it('on a safe read is not followed either', async () => {
    const id = await submittedRegistration()
    script[STATUS_PATH] = redirectTo(307, `${elsewhere.url}/status`)
    try {
      const answer = await refresh(id)
      expectProblem(answer, 502, 'UPSTREAM_ERROR')
    } finally {
      delete script[STATUS_PATH]
    }
    expect(elsewhere.hits).toEqual([])
  })
})

describe('a slow drip from Privy', () => {
  it('ends at the deadline: 504 after PRIVY_TIMEOUT_MS, and the socket is closed after the late-answer window', async () => {
    const record: { closedAfterMs?: number } = {}
    script[REGISTER_PATH] = drip(record)
    const started = Date.now()
    const answer = await register()
    const elapsed = Date.now() - started
    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT')
    expect(elapsed).toBeGreaterThanOrEqual(PRIVY_TIMEOUT_MS - 50)
    expect(elapsed).toBeLessThan(PRIVY_TIMEOUT_MS + 1_500)
    // Side-effect calls keep listening for a late answer, but not for ever.
    await expect.poll(() => record.closedAfterMs, { timeout: PRIVY_LATE_ANSWER_MS + 3_000 }).toBeDefined()
    expect(record.closedAfterMs).toBeLessThan(PRIVY_LATE_ANSWER_MS + 1_500)
  })

  it('on a safe read ends too: each attempt is cut at its deadline, then 504', async () => {
    const id = await submittedRegistration()
    const record: { closedAfterMs?: number } = {}
    script[STATUS_PATH] = drip(record)
    const started = Date.now()
    try {
      const answer = await refresh(id)
      expectProblem(answer, 504, 'UPSTREAM_TIMEOUT')
    } finally {
      delete script[STATUS_PATH]
    }
    // The drip never ends, so only the gateway's deadline can have closed it, and not before the
    // deadline: the 504 and the fake's closed socket show the cut, the lower bounds its timing.
    expect(Date.now() - started).toBeGreaterThanOrEqual(PRIVY_TIMEOUT_MS)
    expect(record.closedAfterMs).toBeGreaterThanOrEqual(PRIVY_TIMEOUT_MS - 50)
  })

  it('from the simulator (fault delay) is 504 at the deadline', async () => {
    const simulated = await startTestGateway({
      PRIVY_TIMEOUT_MS: '1000',
      PRIVY_LATE_ANSWER_MS: '1500',
      BACKGROUND_JOBS_ENABLED: 'false',
    })
    try {
      await simulated.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'delay', delay_ms: 4_000 })
      const started = Date.now()
      const answer = await registerOn(
        simulated,
        {
          registration_type: 'landing_page',
          name: 'Sari',
          email: 'sari.delay@example.co.id',
          phone: '6281311113333',
        },
        'sim-user',
      )
      expect(answer.status, answer.text).toBe(504)
      expect(answer.error?.code).toBe('UPSTREAM_TIMEOUT')
      // Had the deadline not held, the simulator's answer (after 4 s) would have made it a 201.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
      expect(internalLeaks(answer.text)).toEqual([])
    } finally {
      await simulated.close()
    }
  })
})

describe('the request budget (REQUEST_TIMEOUT_MS)', () => {
  it('answers 503 problem+json with Retry-After when the whole request outlives it, before Privy times out', async () => {
    const REQUEST_TIMEOUT_MS = 600
    const budgeted = await startTestGateway({
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      PRIVY_TIMEOUT_MS: '3000',
      BACKGROUND_JOBS_ENABLED: 'false',
    })
    try {
      await budgeted.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'delay', delay_ms: 2_000 })
      const client = await clientFor(budgeted, 'budget-user')
      const body = {
        registration_type: 'landing_page',
        name: 'Sari',
        email: 'sari.budget@example.co.id',
        phone: '6281311114444',
      } as const
      const started = Date.now()
      const raw = await client.raw.POST('/v1/registrations', { body })
      const elapsed = Date.now() - started
      const answer = await answered(raw)
      expect(answer.status, answer.text).toBe(503)
      expect(answer.headers.get('content-type')).toContain('application/problem+json')
      expect(answer.error).toMatchObject({ status: 503, code: 'REQUEST_TIMEOUT' })
      expect(answer.headers.get('retry-after')).toEqual(expect.any(String))
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50)
      expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000)
      expect(internalLeaks(answer.text)).toEqual([])
      // The handler was not interrupted: what it did lands, and the caller finds it; the gateway is fine.
      await expect
        .poll(async () => (await client.raw.GET('/v1/registrations')).data?.data, { timeout: 5_000 })
        .toHaveLength(1)
      expect((await client.raw.GET('/health/live')).response.status).toBe(200)
    } finally {
      await budgeted.close()
    }
  })
})
