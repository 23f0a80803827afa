import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'
import { registerWith, requestOtpFor, simOtp } from '../../src/simulator/testing/flows.js'

// Contract §4 limits of a registration OTP (wrong codes, expiry, resend), with a movable clock.

const VALIDATION = '/web/api/v2/register/otp-validation'
const RESEND = '/web/api/v2/register/otp-resend'

let offsetMs = 0
const now = () => new Date(Date.now() + offsetMs)
let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator({ now })
  client = new SimulatorClient(simulator.url, { now })
})

afterEach(() => {
  offsetMs = 0
})

afterAll(async () => {
  await simulator.close()
})

const startOtp = async () => requestOtpFor(client, await registerWith(client, registerBody('privy_ra')))
const validate = (transactionId: string, code: string) =>
  client.signedPost(VALIDATION, { transaction_id: transactionId, otp_code: code })
const resend = (transactionId: string) => client.signedPost(RESEND, { transaction_id: transactionId })
const codeOf = async (transactionId: string) => (await simOtp(client, transactionId)).code
const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000')
const allowResend = (transactionId: string) => client.sim('POST', `/__sim/otps/${transactionId}/allow-resend`)

describe('§4 wrong codes and locking', () => {
  it('counts down remaining_attempts, then locks with 423 even for the right code', async () => {
    const transactionId = await startOtp()
    const code = await codeOf(transactionId)
    const first = await validate(transactionId, wrongCode(code))
    expect(first.status).toBe(422)
    expect(first.json).toMatchObject({ error: { code: 422 }, data: { remaining_attempts: 2 } })
    const second = await validate(transactionId, wrongCode(code))
    expect(second.json).toMatchObject({ data: { remaining_attempts: 1 } })
    const third = await validate(transactionId, wrongCode(code))
    expect(third.status).toBe(423)
    expect(third.json).toMatchObject({ error: { code: 423 } })
    expect((await validate(transactionId, code)).status).toBe(423)
    expect((await resend(transactionId)).status).toBe(423)
    expect(await simOtp(client, transactionId)).toMatchObject({ status: 'locked', wrong_attempts: 3 })
  })
})

describe('§4 expiry', () => {
  it('refuses an expired code with 422 expired (forced through /__sim), not counting it', async () => {
    const transactionId = await startOtp()
    const code = await codeOf(transactionId)
    const expired = await client.sim('POST', `/__sim/otps/${transactionId}/expire`)
    expect(expired.json).toMatchObject({ transaction_id: transactionId, status: 'expired' })
    const response = await validate(transactionId, code)
    expect(response.status).toBe(422)
    expect(response.text).toMatch(/expired/i)
    expect(response.json).toMatchObject({ data: { expired: true } })
    expect((await simOtp(client, transactionId)).wrong_attempts).toBe(0)

    // A resend revives the transaction with a new code.
    await allowResend(transactionId)
    expect((await resend(transactionId)).status).toBe(201)
    expect((await validate(transactionId, await codeOf(transactionId))).status).toBe(201)
  })

  it('expires after 15 minutes of the injected clock', async () => {
    const transactionId = await startOtp()
    const code = await codeOf(transactionId)
    offsetMs = 15 * 60_000 - 5000
    expect((await simOtp(client, transactionId)).status).toBe('live')
    offsetMs = 15 * 60_000 + 1000
    const response = await validate(transactionId, code)
    expect(response.status).toBe(422)
    expect(response.json).toMatchObject({ error: { errors: [expect.stringMatching(/expired/)] } })
    expect((await simOtp(client, transactionId)).status).toBe('expired')
  })
})

describe('§4 resend', () => {
  it('answers 429 with retry_after and Retry-After before 60 s have passed', async () => {
    const transactionId = await startOtp()
    const early = await resend(transactionId)
    expect(early.status).toBe(429)
    expect(early.json).toMatchObject({ error: { code: 429 }, data: { retry_after: 60 } })
    expect(early.headers['retry-after']).toBe('60')
    offsetMs = 30_500
    const later = await resend(transactionId)
    expect(later.json).toMatchObject({ data: { retry_after: 30 } })
    expect(later.headers['retry-after']).toBe('30')
    offsetMs = 60_000
    expect((await resend(transactionId)).status).toBe(201)
  })

  it('issues a new code that replaces the old one', async () => {
    const transactionId = await startOtp()
    const oldCode = await codeOf(transactionId)
    await allowResend(transactionId)
    const resent = await resend(transactionId)
    expect(resent.status).toBe(201)
    expect(resent.json).toMatchObject({ data: { transaction_id: transactionId, request_count: 2 } })
    const newCode = await codeOf(transactionId)
    expect(newCode).not.toBe(oldCode)
    const old = await validate(transactionId, oldCode)
    expect(old.json).toMatchObject({ data: { remaining_attempts: 2 } })
    expect((await validate(transactionId, newCode)).status).toBe(201)
  })

  it('allows three sends per transaction: a 4th answers 429', async () => {
    const transactionId = await startOtp()
    for (const count of [2, 3]) {
      await allowResend(transactionId)
      expect((await resend(transactionId)).json).toMatchObject({ data: { request_count: count } })
    }
    await allowResend(transactionId)
    const fourth = await resend(transactionId)
    expect(fourth.status).toBe(429)
    expect(fourth.text).toMatch(/At most 3 sends/)
    const retryAfter = (fourth.json as { data: { retry_after: number } }).data.retry_after
    expect(retryAfter).toBeGreaterThan(0)
    expect(fourth.headers['retry-after']).toBe(String(retryAfter))
    expect((await simOtp(client, transactionId)).sends).toBe(3)
  })
})
