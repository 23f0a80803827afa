import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import {
  type CallbackReceiver,
  startCallbackReceiver,
} from '../../src/simulator/testing/callback-receiver.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'
import {
  eventually,
  type RegistrationRef,
  registerWith,
  statusOf,
} from '../../src/simulator/testing/flows.js'

// The §7 settings: verification delay, callback URL defaults, and what reset and close() stop.

const REGISTER = '/web/api/v2/register'

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

describe('§7 verification delay', () => {
  it('verifies automatically by the scripted outcome after the delay', async () => {
    expect((await client.sim('POST', '/__sim/settings', { verification_delay_ms: 30 })).json).toMatchObject({
      verification_delay_ms: 30,
      callback_url: receiver.url,
    })
    const verified = await register(registerBody('privy_ra', { phone_verified: true }))
    const rejected = await register(
      registerBody('privy_ra', { phone_verified: true, nik: '3174012345670002' }),
    )
    const final = await eventually(
      () => statusData(rejected),
      (data) => data.status !== 'waiting_verification',
    )
    expect(final).toMatchObject({ status: 'rejected', reject_reason: { code: 'RC02' }, resend: true })
    expect(await statusData(verified)).toMatchObject({ status: 'verified' })

    // A resend enters waiting_verification again and the correction is then verified.
    expect(
      (await client.signedPost('/web/api/v2/register/resend', { ...rejected, name: 'Siti' })).status,
    ).toBe(201)
    const again = await eventually(
      () => statusData(rejected),
      (data) => data.status === 'verified',
    )
    expect(again.status).toBe('verified')
    const statuses = (await attempts()).filter((item) => item.reference_number === rejected.reference_number)
    expect(statuses.map((item) => item.status)).toEqual(['rejected', 'waiting_verification', 'verified'])
  })

  it('leaves verification to /__sim when the delay is null', async () => {
    await client.sim('POST', '/__sim/settings', { verification_delay_ms: null })
    const registered = await register(registerBody('privy_ra', { phone_verified: true }))
    await sleep(100)
    expect(await statusData(registered)).toMatchObject({ status: 'waiting_verification' })
  })

  it('refuses invalid settings with 422', async () => {
    for (const body of [{ verification_delay_ms: -1 }, { callback_url: 'ftp://x.test' }, { delay: 1 }]) {
      expect((await client.sim('POST', '/__sim/settings', body)).status).toBe(422)
    }
  })
})

describe('reset and close', () => {
  it('reset clears OTPs, messages and the callback log, and restores the started settings', async () => {
    const registered = await register(registerBody('landing_page'))
    await client.signedPost('/web/api/v2/register/otp', {
      ...(await register(registerBody('privy_ra'))),
      otp_channel: 'sms',
    })
    await client.sim('POST', `/__sim/registrations/${registered.reference_number}/finish-landing`)
    await receiver.waitFor(1)
    await eventually(attempts, (list) => list.length > 0)
    await client.sim('POST', '/__sim/settings', { verification_delay_ms: 5, document_processing_delay_ms: 7 })

    await client.sim('POST', '/__sim/reset', { keep_tokens: true })
    expect((await client.sim('GET', '/__sim/otps')).json).toEqual({ otps: [] })
    expect((await client.sim('GET', '/__sim/messages')).json).toEqual({ messages: [] })
    expect(await attempts()).toEqual([])
    expect((await client.sim('GET', '/__sim/settings')).json).toEqual({
      verification_delay_ms: null,
      callback_url: null,
      callback_retry_base_ms: 1000,
      document_processing_delay_ms: 0,
      answer_style: 'contract',
    })
  })

  it('takes its defaults from the options, and close() cancels pending retries', async () => {
    const other = await startSimulator({
      callbackUrl: receiver.url,
      verificationDelayMs: 0,
      callbackRetryBaseMs: 60_000,
      documentProcessingDelayMs: null,
    })
    const otherClient = new SimulatorClient(other.url)
    expect((await otherClient.sim('GET', '/__sim/settings')).json).toEqual({
      verification_delay_ms: 0,
      callback_url: receiver.url,
      callback_retry_base_ms: 60_000,
      document_processing_delay_ms: null,
      answer_style: 'contract',
    })
    receiver.answerWith(500)
    await otherClient.signedPost(REGISTER, registerBody('privy_ra', { phone_verified: true }))
    await receiver.waitFor(1)
    const started = Date.now()
    await other.close()
    // Closing does not wait for the 60 s callback retry (half of it is a bound no machine misses).
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(receiver.received).toHaveLength(1)
  })
})
