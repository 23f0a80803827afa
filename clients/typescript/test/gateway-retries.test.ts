import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor } from '../../../test/helpers/client.js'
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js'
import {
  ConflictError,
  GatewayConnectionError,
  type LandingPageRegistrationRequest,
  ValidationError,
} from '../src/index.js'

// The Idempotency-Key and the client's own retries, against the real gateway. A second instance on
// the same database and simulator has a short REQUEST_TIMEOUT_MS, so a slow Privy (the simulator's
// `delay` fault, longer than that budget) makes it answer 503 REQUEST_TIMEOUT with Retry-After.

const REQUEST_BUDGET_MS = 2000
const SLOWER_THAN_BUDGET_MS = 4000
const REGISTER = '/web/api/v2/register'
const STATUS = '/web/api/v2/register/status'

let gateway: TestGateway
let budgeted: TestGateway

// Privy's slowness here is the simulator's delay, within the gateway's patience for Privy.
const PRIVY_TIMEOUT_MS = '10000'

beforeAll(async () => {
  gateway = await startTestGateway({ PRIVY_TIMEOUT_MS })
  budgeted = await startTestGateway(
    { PRIVY_TIMEOUT_MS, REQUEST_TIMEOUT_MS: String(REQUEST_BUDGET_MS) },
    { database: gateway.database, simulator: gateway.simulator },
  )
})
afterAll(async () => {
  await budgeted?.close()
  await gateway?.close()
})

const landingPage = (suffix: string): LandingPageRegistrationRequest => ({
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: `siti.${suffix}@example.co.id`,
  phone: '6281234567890',
})

const upstreamCount = async (path: string): Promise<number> =>
  (await gateway.sim('GET', `/__sim/requests/count?path=${path}`)).json.count

async function untilUpstream(path: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await upstreamCount(path)) < count) {
    if (Date.now() > deadline) throw new Error(`${path} was not called ${count} times`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Every attempt the client made: the Idempotency-Key it sent and the status it got (0: none). */
function recordingFetch(
  log: Array<{ key: string | null; status: number }>,
  drop?: (attempt: number) => boolean,
) {
  return async (request: Request): Promise<Response> => {
    const entry = { key: request.headers.get('idempotency-key'), status: 0 }
    log.push(entry)
    const response = await fetch(request)
    entry.status = response.status
    // A lost answer: the gateway did the work, the client never hears of it.
    if (drop?.(log.length)) {
      await response.arrayBuffer()
      throw new TypeError('fetch failed', { cause: new Error('socket hang up') })
    }
    return response
  }
}

describe('Idempotency-Key', () => {
  it('a key set by the caller replays the first answer byte for byte, with one call to Privy', async () => {
    const client = await clientFor(gateway, 'user-replay')
    const before = await upstreamCount(REGISTER)
    const key = crypto.randomUUID()
    const first = await client.registrations
      .create(landingPage('replay'), { idempotencyKey: key })
      .withResponse()
    const second = await client.registrations
      .create(landingPage('replay'), { idempotencyKey: key })
      .withResponse()
    expect(first.response.headers.get('idempotent-replayed')).toBeNull()
    expect(second.response.headers.get('idempotent-replayed')).toBe('true')
    expect(second.data).toEqual(first.data)
    expect([first.idempotencyKey, second.idempotencyKey]).toEqual([key, key])
    expect(await upstreamCount(REGISTER)).toBe(before + 1)

    const reused = await client.registrations
      .create(landingPage('other'), { idempotencyKey: key })
      .catch((error: unknown) => error)
    expect(reused).toBeInstanceOf(ValidationError)
    expect(reused).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: key })
  })

  it('a new key per call by default: two calls are two operations', async () => {
    const client = await clientFor(gateway, 'user-two-keys')
    const one = await client.registrations.create(landingPage('one')).withResponse()
    const two = await client.registrations.create(landingPage('two')).withResponse()
    expect(one.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(two.idempotencyKey).not.toBe(one.idempotencyKey)
  })
})

describe("the client's own retries reuse the call's key", () => {
  it('after a lost answer: the retry is replayed and Privy saw one registration', async () => {
    const attempts: Array<{ key: string | null; status: number }> = []
    const client = await clientFor(gateway, 'user-lost-answer', {
      maxRetries: 2,
      retry: { baseDelayMs: 10 },
      fetch: recordingFetch(attempts, (attempt) => attempt === 1),
    })
    const before = await upstreamCount(REGISTER)
    const result = await client.registrations.create(landingPage('lost')).withResponse()
    expect(attempts.map((attempt) => attempt.status)).toEqual([201, 201])
    expect(attempts[1]?.key).toBe(attempts[0]?.key)
    expect(result).toMatchObject({ attempts: 2, idempotencyKey: attempts[0]?.key })
    expect(result.response.headers.get('idempotent-replayed')).toBe('true')
    expect(await upstreamCount(REGISTER)).toBe(before + 1)
  })

  it('after 409 IDEMPOTENCY_KEY_IN_USE, waiting its Retry-After until the first attempt has answered', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER, kind: 'delay', delay_ms: 3000, times: 1 })
    const key = crypto.randomUUID()
    const before = await upstreamCount(REGISTER)
    const first = (await clientFor(gateway, 'user-in-use')).registrations
      .create(landingPage('in-use'), { idempotencyKey: key })
      .withResponse()
    // The first attempt holds the key: it is waiting for Privy.
    await untilUpstream(REGISTER, before + 1)
    const attempts: Array<{ key: string | null; status: number }> = []
    const second = await (
      await clientFor(gateway, 'user-in-use', { maxRetries: 5, fetch: recordingFetch(attempts) })
    ).registrations
      .create(landingPage('in-use'), { idempotencyKey: key })
      .withResponse()
    expect(attempts[0]?.status).toBe(409)
    expect(attempts.at(-1)?.status).toBe(201)
    expect(attempts.every((attempt) => attempt.key === key)).toBe(true)
    expect(second.data.id).toBe((await first).data.id)
    expect(await upstreamCount(REGISTER)).toBe(before + 1)
  })

  it('after 503 REQUEST_TIMEOUT with Retry-After on a keyed POST: one registration, and the client gets it', async () => {
    await gateway.sim('POST', '/__sim/faults', {
      path: REGISTER,
      kind: 'delay',
      delay_ms: SLOWER_THAN_BUDGET_MS,
      times: 1,
    })
    const attempts: Array<{ key: string | null; status: number }> = []
    const client = await clientFor(budgeted, 'user-slow-privy', {
      maxRetries: 6,
      fetch: recordingFetch(attempts),
    })
    const before = await upstreamCount(REGISTER)
    const result = await client.registrations.create(landingPage('slow')).withResponse()
    const statuses = attempts.map((attempt) => attempt.status)
    expect(statuses[0]).toBe(503)
    expect(statuses.at(-1)).toBe(201)
    expect(statuses.slice(1, -1).every((status) => status === 409 || status === 503)).toBe(true)
    expect(new Set(attempts.map((attempt) => attempt.key)).size).toBe(1)
    expect(await upstreamCount(REGISTER)).toBe(before + 1)
    const upstream = await gateway.sim('GET', `/__sim/registrations/${result.data.reference_number}`)
    expect(upstream.status).toBe(200)
  })

  it('after 503 with Retry-After on a read', async () => {
    const attempts: Array<{ key: string | null; status: number }> = []
    const client = await clientFor(budgeted, 'user-slow-read', {
      maxRetries: 4,
      fetch: recordingFetch(attempts),
    })
    const created = await client.registrations.create(landingPage('slow-read'))
    attempts.length = 0
    await gateway.sim('POST', '/__sim/faults', {
      path: STATUS,
      kind: 'delay',
      delay_ms: SLOWER_THAN_BUDGET_MS,
      times: 1,
    })
    const read = await client.registrations.get(created.id, { refresh: true }).withResponse()
    expect(attempts[0]).toEqual({ key: null, status: 503 })
    expect(attempts.at(-1)?.status).toBe(200)
    expect(read.attempts).toBe(attempts.length)
    expect(read.data.id).toBe(created.id)
  })
})

describe('what the client does not retry', () => {
  it('a refusal: one attempt, the error thrown', async () => {
    const attempts: Array<{ key: string | null; status: number }> = []
    const client = await clientFor(gateway, 'user-refused', {
      maxRetries: 3,
      fetch: recordingFetch(attempts),
    })
    await client.registrations.create(landingPage('refused-once'))
    await expect(client.registrations.create(landingPage('refused-once'))).rejects.toBeInstanceOf(
      ConflictError,
    )
    await expect(
      client.registrations.create({ ...landingPage('bad'), phone: '0812' }),
    ).rejects.toBeInstanceOf(ValidationError)
    expect(attempts.map((attempt) => attempt.status)).toEqual([201, 409, 400])
  })

  it('a POST without a key (operators) is sent once even when the connection fails', async () => {
    const attempts: Array<{ key: string | null; status: number }> = []
    const operator = await clientFor(gateway, 'operator', {
      maxRetries: 3,
      fetch: recordingFetch(attempts, () => true),
    })
    const failed = await operator.webhookEndpoints
      .create({ url: 'http://127.0.0.1:9/hooks' })
      .catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(GatewayConnectionError)
    expect(attempts).toHaveLength(1)
    expect(attempts[0]?.key).toBeNull()
  })

  it('gives up after maxRetries when the gateway cannot be reached, and after its timeout', async () => {
    const attempts: Array<{ key: string | null; status: number }> = []
    const closed = await clientFor(gateway, 'user-unreachable', {
      baseUrl: 'http://127.0.0.1:9',
      maxRetries: 2,
      retry: { baseDelayMs: 5 },
      fetch: recordingFetch(attempts),
    })
    const unreachable = await closed.registrations
      .create(landingPage('nowhere'))
      .catch((error: unknown) => error)
    expect(unreachable).toBeInstanceOf(GatewayConnectionError)
    expect(unreachable).toMatchObject({ timedOut: false, idempotencyKey: attempts[0]?.key })
    expect(attempts).toHaveLength(3)
    expect(new Set(attempts.map((attempt) => attempt.key)).size).toBe(1)

    // Only the read under test carries the short deadline: the setup call takes what a loaded machine
    // needs, and Privy's delay is ten times the deadline, so the timeout is the only way this ends.
    const created = await (await clientFor(gateway, 'user-timeout')).registrations.create(
      landingPage('timeout'),
    )
    const client = await clientFor(gateway, 'user-timeout', { maxRetries: 0, timeoutMs: 300 })
    await gateway.sim('POST', '/__sim/faults', { path: STATUS, kind: 'delay', delay_ms: 3000, times: 1 })
    const late = await client.registrations
      .get(created.id, { refresh: true })
      .catch((error: unknown) => error)
    expect(late).toBeInstanceOf(GatewayConnectionError)
    expect(late).toMatchObject({ timedOut: true })
  })
})
