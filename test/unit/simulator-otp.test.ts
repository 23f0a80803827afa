import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'
import {
  type RegistrationRef,
  registerWith,
  requestOtpFor,
  simOtp,
  statusOf,
} from '../../src/simulator/testing/flows.js'

// Contract §4.1 registration OTP: the happy path, refusals and the /__sim surface, over a real socket.
// Wrong codes, expiry and resend limits are in simulator-otp-limits.test.ts.

const OTP = '/web/api/v2/register/otp'
const VALIDATION = '/web/api/v2/register/otp-validation'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

const register = (overrides: Record<string, unknown> = {}) =>
  registerWith(client, registerBody('privy_ra', overrides))
const requestOtp = (ref: RegistrationRef, otpChannel = 'sms') =>
  client.signedPost(OTP, { ...ref, otp_channel: otpChannel })
const validate = (transactionId: string, code: string) =>
  client.signedPost(VALIDATION, { transaction_id: transactionId, otp_code: code })
const codeOf = async (transactionId: string) => (await simOtp(client, transactionId)).code

describe('§4.1 happy path', () => {
  it('sends a 6-digit code by SMS, validates it, and moves the registration on', async () => {
    const ref = await register({ phone: '6281200000001' })
    expect((await statusOf(client, ref)).status).toBe('waiting_otp')
    const before = Date.now()
    const response = await requestOtp(ref)
    expect(response.status).toBe(201)
    const otp = (response.json as { data: Record<string, unknown> }).data
    expect(otp).toEqual({
      transaction_id: expect.any(String),
      otp_channel: 'sms',
      expired_at: expect.any(String),
      resend_available_at: expect.any(String),
      request_count: 1,
      maximum_otp_request: 3,
    })
    const validFor = Date.parse(String(otp.expired_at)) - before
    expect(validFor).toBeGreaterThanOrEqual(15 * 60_000 - 1000)
    expect(validFor).toBeLessThanOrEqual(15 * 60_000 + 1000)
    expect(Date.parse(String(otp.resend_available_at)) - before).toBeGreaterThanOrEqual(59_000)

    const transactionId = String(otp.transaction_id)
    const listed = await client.sim('GET', `/__sim/otps?reference_number=${ref.reference_number}`)
    expect(listed.json).toMatchObject({
      otps: [
        { transaction_id: transactionId, otp_channel: 'sms', sends: 1, wrong_attempts: 0, status: 'live' },
      ],
    })
    const code = await codeOf(transactionId)
    expect(code).toMatch(/^\d{6}$/)
    const messages = await client.sim('GET', '/__sim/messages?phone=6281200000001')
    expect(messages.json).toMatchObject({
      messages: [
        {
          channel: 'sms',
          to: '6281200000001',
          text: expect.stringContaining(`Kode OTP Privy Anda: ${code}`),
        },
      ],
    })

    const validated = await validate(transactionId, code)
    expect(validated.status).toBe(201)
    expect(validated.json).toMatchObject({ data: { transaction_id: transactionId, status: 'validated' } })
    expect((await statusOf(client, ref)).status).toBe('waiting_verification')
    expect((await simOtp(client, transactionId)).status).toBe('validated')
    const again = await validate(transactionId, code)
    expect(again.status).toBe(422)
    expect(again.text).toMatch(/already validated/)
  })

  it('sends by email when asked, and lists OTPs by phone', async () => {
    const ref = await register({ email: 'otp.email@example.co.id', phone: '6281200000002' })
    expect((await requestOtp(ref, 'email')).json).toMatchObject({ data: { otp_channel: 'email' } })
    const messages = await client.sim('GET', '/__sim/messages?email=otp.email@example.co.id')
    expect(messages.json).toMatchObject({ messages: [{ channel: 'email', to: 'otp.email@example.co.id' }] })
    expect((await client.sim('GET', '/__sim/messages?phone=6281200000002')).json).toEqual({ messages: [] })
    const byPhone = await client.sim('GET', '/__sim/otps?phone=6281200000002')
    expect((byPhone.json as { otps: unknown[] }).otps).toHaveLength(1)
  })

  it('starts a new transaction with its own counters on a second request', async () => {
    const ref = await register()
    const first = await requestOtpFor(client, ref)
    const response = await requestOtp(ref)
    const second = (response.json as { data: { transaction_id: string; request_count: number } }).data
    expect(second.transaction_id).not.toBe(first)
    expect(second.request_count).toBe(1)
    expect((await validate(second.transaction_id, await codeOf(second.transaction_id))).status).toBe(201)
    // The registration left waiting_otp, so the older transaction no longer applies.
    const stale = await validate(first, await codeOf(first))
    expect(stale.status).toBe(422)
    expect(stale.text).toMatch(/not waiting_otp/)
  })
})

describe('§4.1 refusals', () => {
  it('refuses an OTP for a registration that is not waiting_otp with 422', async () => {
    expect((await requestOtp(await register({ phone_verified: true }))).status).toBe(422)
    const landing = await registerWith(client, registerBody('landing_page'))
    expect((await requestOtp(landing)).status).toBe(422)
  })

  it('answers 404 for an unknown registration or transaction, and 422 for a bad body', async () => {
    const ref = await register()
    expect((await requestOtp({ ...ref, register_token: 'wrong' })).status).toBe(404)
    const badChannel = await requestOtp(ref, 'whatsapp')
    expect(badChannel.json).toMatchObject({ error: { code: 422, errors: [{ field: 'otp_channel' }] } })
    expect((await validate('no-such-transaction', '123456')).status).toBe(404)
    expect((await client.signedPost(`${OTP}-resend`, { transaction_id: 'no-such' })).status).toBe(404)
    expect((await client.sim('POST', '/__sim/otps/no-such-transaction/expire')).status).toBe(404)
    expect((await client.sim('POST', '/__sim/otps/no-such-transaction/allow-resend')).status).toBe(404)
  })

  it('refuses a code that is not 6 digits in a string without counting it', async () => {
    const transactionId = await requestOtpFor(client, await register())
    const numeric = await client.signedPost(VALIDATION, { transaction_id: transactionId, otp_code: 123456 })
    expect(numeric.json).toMatchObject({ error: { code: 422, errors: [{ field: 'otp_code' }] } })
    expect((await validate(transactionId, '12345')).status).toBe(422)
    expect((await simOtp(client, transactionId)).wrong_attempts).toBe(0)
  })
})
