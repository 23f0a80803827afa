import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'

// Contract §7 fault injection, observed from a real client socket.

const REGISTER = '/web/api/v2/register'
const TOKEN = '/oauth2/api/v1/token'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

beforeEach(async () => {
  await client.sim('DELETE', '/__sim/faults')
  await client.token()
})

const addFault = async (fault: Record<string, unknown>) => {
  const response = await client.sim('POST', '/__sim/faults', fault)
  expect(response.status).toBe(201)
  return response
}

const upstreamCopy = (reference: unknown) => client.sim('GET', `/__sim/registrations/${String(reference)}`)

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
}

describe('kind status', () => {
  it('answers the status in the contract shape without doing the work, once', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 503 })
    const body = registerBody('privy_ra')
    const faulted = await client.signedPost(REGISTER, body)
    expect(faulted.status).toBe(503)
    expect(faulted.json).toMatchObject({ error: { code: 503, errors: [expect.any(String)] } })
    expect((await upstreamCopy(body.reference_number)).status).toBe(404)
    expect((await client.signedPost(REGISTER, body)).status).toBe(201)
  })

  it('applies to the token endpoint too', async () => {
    await addFault({ path: TOKEN, kind: 'status', status: 500 })
    expect((await client.requestToken()).status).toBe(500)
    expect((await client.requestToken()).status).toBe(201)
  })

  it('lasts `times` calls, or until cleared when sticky', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 429, times: 2 })
    const statuses = []
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await client.signedPost(REGISTER, registerBody('landing_page'))).status)
    }
    expect(statuses).toEqual([429, 429, 201])

    await addFault({ path: REGISTER, kind: 'status', status: 500, sticky: true })
    for (let index = 0; index < 3; index += 1) {
      expect((await client.signedPost(REGISTER, registerBody('landing_page'))).status).toBe(500)
    }
    const listed = await client.sim('GET', '/__sim/faults')
    expect(listed.json).toMatchObject({ faults: [{ path: REGISTER, kind: 'status', sticky: true }] })
    expect((await client.sim('DELETE', '/__sim/faults')).json).toEqual({ cleared: 1 })
    expect((await client.signedPost(REGISTER, registerBody('landing_page'))).status).toBe(201)
  })

  it('applies queued faults on one path in order', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 503 })
    await addFault({ path: REGISTER, kind: 'status', status: 409 })
    const first = await client.signedPost(REGISTER, registerBody('landing_page'))
    const second = await client.signedPost(REGISTER, registerBody('landing_page'))
    expect([first.status, second.status]).toEqual([503, 409])
  })
})

describe('kind malformed_json', () => {
  it('does the work, then answers 201 with a body that does not parse', async () => {
    await addFault({ path: REGISTER, kind: 'malformed_json' })
    const body = registerBody('privy_ra')
    const response = await client.signedPost(REGISTER, body)
    expect(response.status).toBe(201)
    expect(response.headers['content-type']).toMatch(/application\/json/)
    expect(() => JSON.parse(response.text)).toThrow()
    expect((await upstreamCopy(body.reference_number)).status).toBe(200)
  })
})

describe('kind drop', () => {
  it('closes the connection without an answer and without doing the work', async () => {
    await addFault({ path: REGISTER, kind: 'drop' })
    const body = registerBody('privy_ra')
    const failure = await client.signedPost(REGISTER, body).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']).toContain(errorCode(failure))
    expect((await upstreamCopy(body.reference_number)).status).toBe(404)
    const log = await client.sim('GET', `/__sim/requests?path=${REGISTER}`)
    const entries = (log.json as { requests: Array<{ status: unknown; fault: unknown }> }).requests
    expect(entries.at(-1)).toMatchObject({ status: null, fault: 'drop' })
  })
})

describe('kind delay', () => {
  it('waits delay_ms, then handles the call normally', async () => {
    await addFault({ path: REGISTER, kind: 'delay', delay_ms: 300 })
    const started = performance.now()
    const response = await client.signedPost(REGISTER, registerBody('landing_page'))
    expect(response.status).toBe(201)
    expect(performance.now() - started).toBeGreaterThanOrEqual(280)
  })
})

describe('kind commit_then_timeout', () => {
  it('does the work while the client gives up waiting', async () => {
    await addFault({ path: REGISTER, kind: 'commit_then_timeout', delay_ms: 10_000 })
    const body = registerBody('privy_ra')
    const failure = await client.signedPost(REGISTER, body, { signal: AbortSignal.timeout(300) }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    const copy = await upstreamCopy(body.reference_number)
    expect(copy.status).toBe(200)
    expect(copy.json).toMatchObject({ status: 'waiting_otp' })
  })

  it('defaults delay_ms to 30 s, and close() does not wait for it', async () => {
    const own = await startSimulator()
    const ownClient = new SimulatorClient(own.url)
    const response = await ownClient.sim('POST', '/__sim/faults', {
      path: REGISTER,
      kind: 'commit_then_timeout',
    })
    expect(response.json).toMatchObject({ fault: { delay_ms: 30_000 } })
    await ownClient.token()
    const pending = ownClient
      .signedPost(REGISTER, registerBody('landing_page'))
      .catch((error: unknown) => error)
    await expect.poll(() => own.state.registrations.size).toBe(1)
    const started = performance.now()
    await own.close()
    expect(performance.now() - started).toBeLessThan(2000)
    expect(await pending).toBeInstanceOf(Error)
  })
})

describe('fault definitions', () => {
  it.each([
    ['status without a status', { path: REGISTER, kind: 'status' }, 'status'],
    ['a status below 400', { path: REGISTER, kind: 'status', status: 302 }, 'status'],
    ['delay without delay_ms', { path: REGISTER, kind: 'delay' }, 'delay_ms'],
    ['delay_ms on a drop', { path: REGISTER, kind: 'drop', delay_ms: 5 }, 'delay_ms'],
    ['an unknown kind', { path: REGISTER, kind: 'explode' }, 'kind'],
    ['a path without a slash', { path: 'web/api/v2/register', kind: 'drop' }, 'path'],
    ['the /__sim surface', { path: '/__sim/reset', kind: 'drop' }, 'path'],
    ['sticky with times', { path: REGISTER, kind: 'drop', sticky: true, times: 2 }, 'times'],
  ])('refuses %s with 422', async (_label, fault, field) => {
    const response = await client.sim('POST', '/__sim/faults', fault)
    expect(response.status).toBe(422)
    expect(response.text).toContain(`"field":"${field}"`)
  })

  it('treats times: 0 as sticky', async () => {
    const response = await addFault({ path: REGISTER, kind: 'drop', times: 0 })
    expect(response.json).toMatchObject({ fault: { sticky: true, remaining: null } })
  })
})
