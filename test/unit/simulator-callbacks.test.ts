import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signatureMatches } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import {
  type CallbackReceiver,
  type ReceivedCallback,
  startCallbackReceiver,
} from '../../src/simulator/testing/callback-receiver.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'
import {
  eventually,
  type RegistrationRef,
  registerWith,
  requestOtpFor,
  simOtp,
  statusOf,
} from '../../src/simulator/testing/flows.js'

// Contract §6 callbacks to the merchant, delivered to a real receiver socket.

let simulator: RunningSimulator
let client: SimulatorClient
let receiver: CallbackReceiver

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

beforeEach(async () => {
  receiver = await startCallbackReceiver()
  await client.sim('POST', '/__sim/reset', { keep_tokens: true })
  await client.sim('POST', '/__sim/settings', { callback_url: receiver.url, callback_retry_base_ms: 5 })
})

afterEach(async () => {
  await receiver.close()
})

afterAll(async () => {
  await simulator.close()
})

interface Attempt {
  reference_number: string
  status: string
  attempt: number
  http_status: number | null
  error: string | null
}

const register = (body: Record<string, unknown>) => registerWith(client, body)
const statusData = (ref: RegistrationRef) => statusOf(client, ref)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const attempts = async () =>
  ((await client.sim('GET', '/__sim/callbacks')).json as { callbacks: Attempt[] }).callbacks

function parsed(callback: ReceivedCallback): { event: string; data: Record<string, unknown> } {
  return JSON.parse(callback.text)
}

function expectSigned(callback: ReceivedCallback): void {
  const { timestamp, signature } = callback.headers
  expect(callback.headers['content-type']).toBe('application/json')
  expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/)
  expect(typeof signature).toBe('string')
  const body = JSON.parse(callback.text) as Record<string, unknown>
  expect(signatureMatches(DEV_CREDENTIALS, String(timestamp), body, String(signature))).toBe(true)
  // Serialised once, compactly: the bytes are JSON.stringify of what they parse to.
  expect(callback.text).toBe(JSON.stringify(body))
}

describe('§6 register callbacks', () => {
  it('posts every status change (not the creation), signed, with the §3.3 status data', async () => {
    const registered = await register(registerBody('privy_ra'))
    const transactionId = await requestOtpFor(client, registered)
    const code = (await simOtp(client, transactionId)).code
    await client.signedPost('/web/api/v2/register/otp-validation', {
      transaction_id: transactionId,
      otp_code: code,
    })

    const [waiting] = await receiver.waitFor(1)
    if (waiting === undefined) throw new Error('no callback')
    expect(parsed(waiting)).toEqual({ event: 'register', data: await statusData(registered) })
    expectSigned(waiting)

    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/verify`)
    const [, verified] = await receiver.waitFor(2)
    if (verified === undefined) throw new Error('no callback')
    expect(parsed(verified)).toEqual({ event: 'register', data: await statusData(registered) })
    expect(parsed(verified).data).toMatchObject({ status: 'verified', privy_id: expect.any(String) })
    expectSigned(verified)
    expect(await attempts()).toMatchObject([
      {
        reference_number: registered.reference_number,
        status: 'waiting_verification',
        attempt: 1,
        http_status: 200,
        error: null,
      },
      { status: 'verified', attempt: 1, http_status: 200, error: null },
    ])
    expect(receiver.received).toHaveLength(2)
  })

  it('sends nothing for a registration that is only created, or when no URL is set', async () => {
    await register(registerBody('privy_ra', { phone_verified: true }))
    await client.sim('POST', '/__sim/settings', { callback_url: null })
    const landing = await register(registerBody('landing_page'))
    await client.sim('POST', `/__sim/registrations/${landing.reference_number}/finish-landing`)
    await sleep(100)
    expect(receiver.received).toHaveLength(0)
    expect(await attempts()).toEqual([])
  })

  it('retries a 500 three more times, then gives up', async () => {
    receiver.answerWith(500)
    const registered = await register(registerBody('landing_page'))
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/finish-landing`)
    await receiver.waitFor(4)
    await sleep(150)
    expect(receiver.received).toHaveLength(4)
    expect(new Set(receiver.received.map((callback) => callback.text)).size).toBe(1)
    for (const callback of receiver.received) expectSigned(callback)
    const logged = await eventually(attempts, (list) => list.length >= 4)
    expect(logged.map((item) => [item.attempt, item.http_status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ])
  })

  it('stops retrying once an attempt succeeds, and logs connection errors', async () => {
    receiver.answerWith(503, 204)
    const registered = await register(registerBody('landing_page'))
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/finish-landing`)
    await receiver.waitFor(2)
    await sleep(100)
    expect(receiver.received).toHaveLength(2)
    expect((await attempts()).map((item) => item.http_status)).toEqual([503, 204])

    await client.sim('POST', '/__sim/settings', { callback_url: 'http://127.0.0.1:1/nothing-listens' })
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/verify`)
    const logged = await eventually(attempts, (list) => list.length >= 6)
    expect(logged.slice(2)).toHaveLength(4)
    for (const item of logged.slice(2))
      expect(item).toMatchObject({ http_status: null, error: expect.any(String) })
  })

  it('replays the current status and sends a stale one on request', async () => {
    const registered = await register(registerBody('landing_page'))
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/finish-landing`)
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/verify`)
    await receiver.waitFor(2)

    const replay = await client.sim('POST', '/__sim/callbacks/replay', {
      reference_number: registered.reference_number,
    })
    expect(replay.status).toBe(202)
    expect(replay.json).toMatchObject({ status: 'verified', delivery_id: expect.any(String) })
    const [, verified, duplicate] = await receiver.waitFor(3)
    expect(duplicate?.text).toBe(verified?.text)

    const stale = await client.sim('POST', '/__sim/callbacks/send', {
      reference_number: registered.reference_number,
      status_override: 'waiting_verification',
    })
    expect(stale.status).toBe(202)
    const [first, , , late] = await receiver.waitFor(4)
    if (late === undefined || first === undefined) throw new Error('no callback')
    expect(parsed(late).data).toMatchObject({ status: 'waiting_verification' })
    expect(parsed(late).data).not.toHaveProperty('privy_id')
    expect(late.text).toBe(first.text)
    expectSigned(late)
    expect((await attempts()).map((item) => item.status)).toEqual([
      'waiting_verification',
      'verified',
      'verified',
      'waiting_verification',
    ])

    const never = { reference_number: registered.reference_number, status_override: 'rejected' }
    expect((await client.sim('POST', '/__sim/callbacks/send', never)).status).toBe(422)
    await client.sim('POST', '/__sim/settings', { callback_url: null })
    const unset = await client.sim('POST', '/__sim/callbacks/replay', {
      reference_number: registered.reference_number,
    })
    expect(unset.status).toBe(409)
  })
})
