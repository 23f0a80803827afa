import type { GatewayClient } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { latestSimOtp, register, requestOtp } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { upstreamCount as simCount } from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

const USER = 'user-otp'
let token: string
let user: GatewayClient

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken(USER)
  user = await clientFor(gateway, { token })
})

/** A registration waiting for its OTP, with the OTP already sent. */
async function sentOtp(channel: 'sms' | 'email' = 'sms') {
  const registration = await register(gateway, { token })
  const otp = await requestOtp(gateway, { token }, registration.id, { otp_channel: channel })
  return { registration, otp }
}

const codeOf = async (referenceNumber: string) =>
  (await latestSimOtp(gateway, { reference_number: referenceNumber })).code
const transactionOf = async (referenceNumber: string) =>
  (await latestSimOtp(gateway, { reference_number: referenceNumber })).transaction_id

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const upstreamCount = (path: string) => simCount(gateway, path)

/** The OTP routes through the typed client's raw calls: each answer's status is asserted exactly. */
const validate = (id: string, code: string, as = user) =>
  as.raw.POST('/v1/otp/{id}/validate', { params: { path: { id } }, body: { otp_code: code } })
const resend = (id: string, as = user) => as.raw.POST('/v1/otp/{id}/resend', { params: { path: { id } } })
const otpFor = (registrationId: string, as = user) =>
  as.raw.POST('/v1/otp', {
    body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registrationId },
  })

describe('OTP edge cases', () => {
  it('a wrong code: 422 with attempts_left', async () => {
    const { registration, otp } = await sentOtp()
    const response = await validate(otp.id, wrong(await codeOf(registration.reference_number)))
    expect(response.response.status).toBe(422)
    expect(response.error).toMatchObject({ code: 'OTP_INVALID', attempts_left: 2 })
  })

  it('three wrong codes lock the transaction: 423, even for the right code, without asking Privy', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    const results: number[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      results.push((await validate(otp.id, wrong(code))).response.status)
    }
    // The third wrong code locks the transaction at Privy, which answers 423 at once.
    expect(results).toEqual([422, 422, 423])
    const validations = await upstreamCount('/web/api/v2/register/otp-validation')
    const right = await validate(otp.id, code)
    expect(right.response.status).toBe(423)
    expect(right.error?.code).toBe('OTP_LOCKED')
    expect(await upstreamCount('/web/api/v2/register/otp-validation')).toBe(validations)
    const shown = await user.registrations.get(registration.id)
    expect(shown.status).toBe('waiting_otp')
  })

  it('an expired code: 410 OTP_EXPIRED', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    await gateway.sim('POST', `/__sim/otps/${await transactionOf(registration.reference_number)}/expire`, {})
    const response = await validate(otp.id, code)
    expect(response.response.status).toBe(410)
    expect(response.error?.code).toBe('OTP_EXPIRED')
  })

  it('a code past its expires_at is refused by the gateway itself', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    gateway.clock.advance(16 * 60_000)
    try {
      const validations = await upstreamCount('/web/api/v2/register/otp-validation')
      const response = await validate(otp.id, code)
      expect(response.response.status).toBe(410)
      expect(await upstreamCount('/web/api/v2/register/otp-validation')).toBe(validations)
    } finally {
      gateway.clock.advance(-16 * 60_000)
    }
  })

  it('a resend too early: 429 with Retry-After, no SMS spent', async () => {
    const { otp } = await sentOtp()
    const resends = await upstreamCount('/web/api/v2/register/otp-resend')
    const response = await resend(otp.id)
    expect(response.response.status).toBe(429)
    expect(response.error?.code).toBe('OTP_RESEND_TOO_EARLY')
    const retryAfter = Number(response.response.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(50)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await upstreamCount('/web/api/v2/register/otp-resend')).toBe(resends)
  })

  it('two resends are allowed; the fourth send is refused', async () => {
    const { registration, otp } = await sentOtp('email')
    const transactionId = await transactionOf(registration.reference_number)
    let current = otp
    for (const left of [1, 0]) {
      gateway.clock.advance(61_000)
      await gateway.sim('POST', `/__sim/otps/${transactionId}/allow-resend`, {})
      const resent = await resend(otp.id)
      expect(resent.response.status, JSON.stringify(resent.error)).toBe(200)
      if (!resent.data) throw new Error('a 200 without a body')
      expect(resent.data.requests_left).toBe(left)
      expect(Date.parse(resent.data.resend_available_at)).toBeGreaterThan(
        Date.parse(current.resend_available_at),
      )
      current = resent.data
    }
    gateway.clock.advance(61_000)
    const fourth = await resend(otp.id)
    expect(fourth.response.status).toBe(429)
    expect(fourth.error?.code).toBe('OTP_SEND_LIMIT_REACHED')
    // The newest code works; the older ones were replaced.
    const validated = await validate(otp.id, await codeOf(registration.reference_number))
    expect(validated.response.status, JSON.stringify(validated.error)).toBe(200)
  })

  it("validating or resending another user's transaction: 404", async () => {
    const { registration, otp } = await sentOtp()
    const stranger = await clientFor(gateway, 'user-otp-stranger')
    const code = await codeOf(registration.reference_number)
    expect((await validate(otp.id, code, stranger)).response.status).toBe(404)
    expect((await resend(otp.id, stranger)).response.status).toBe(404)
    expect((await otpFor(registration.id, stranger)).response.status).toBe(404)
  })

  it('a second OTP for the same registration answers the live one (200, reused) and sends nothing', async () => {
    const { registration, otp } = await sentOtp()
    const sends = await upstreamCount('/web/api/v2/register/otp')
    const again = await otpFor(registration.id)
    expect(again.response.status, JSON.stringify(again.error)).toBe(200)
    expect(again.data).toMatchObject({ id: otp.id, reused: true, expires_at: otp.expires_at })
    expect(await upstreamCount('/web/api/v2/register/otp')).toBe(sends)
  })

  it('an OTP for a registration that does not need one: 409', async () => {
    const registration = await register(gateway, { token }, { phone_verified: true })
    const response = await otpFor(registration.id)
    expect(response.response.status).toBe(409)
    expect(response.error?.registration_status).toBe('waiting_verification')
  })

  it.each([
    ['a 5-digit code', { otp_code: '12345' }],
    ['letters', { otp_code: 'abcdef' }],
    ['a number instead of a string', { otp_code: 123456 }],
    ['an extra field', { otp_code: '123456', admin: true }],
    ['nothing', {}],
  ])('refuses %s before asking Privy', async (_label, body) => {
    const { otp } = await sentOtp()
    const validations = await upstreamCount('/web/api/v2/register/otp-validation')
    const response = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, { token, body })
    expect(response.status).toBe(400)
    expect(response.json.code).toBe('VALIDATION_FAILED')
    expect(await upstreamCount('/web/api/v2/register/otp-validation')).toBe(validations)
  })

  it.each([
    ['an unknown otp_type', { otp_type: 'login', otp_channel: 'sms', registration_id: crypto.randomUUID() }],
    [
      'an unknown channel',
      { otp_type: 'registration', otp_channel: 'fax', registration_id: crypto.randomUUID() },
    ],
    [
      'a registration id that is not a UUID',
      { otp_type: 'registration', otp_channel: 'sms', registration_id: '1' },
    ],
    ['registration without registration_id', { otp_type: 'registration', otp_channel: 'sms' }],
    [
      'document_signing without documents',
      { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [] },
    ],
  ])('POST /v1/otp refuses %s', async (_label, body) => {
    const response = await gateway.call('POST', '/v1/otp', { token, body })
    expect(response.status).toBe(400)
    expect(response.json.code).toBe('VALIDATION_FAILED')
  })

  it('refuses malformed JSON, an oversized body and an OTP id that is not a UUID', async () => {
    const malformed = await gateway.call('POST', '/v1/otp', {
      token,
      rawBody: '{"otp_type":',
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    const huge = await gateway.call('POST', '/v1/otp', {
      token,
      body: { otp_type: 'x'.repeat(2 * 1024 * 1024) },
    })
    expect(huge.status).toBe(413)
    const badId = await gateway.call('POST', '/v1/otp/not-a-uuid/validate', {
      token,
      body: { otp_code: '123456' },
    })
    expect(badId.status).toBe(400)
    const anonymous = await gateway.call('POST', `/v1/otp/${crypto.randomUUID()}/resend`)
    expect(anonymous.status).toBe(401)
  })
})
