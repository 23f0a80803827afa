import { beforeAll, describe, expect, it } from 'vitest'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'

let token: string

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken('user-otp')
})

/** A registration waiting for its OTP, with the OTP already sent. */
async function sentOtp(channel: 'sms' | 'email' = 'sms') {
  const registration = await gateway.call('POST', '/v1/registrations', {
    token,
    body: await fullRegistrationJson(),
  })
  expect(registration.status, registration.text).toBe(201)
  const otp = await gateway.call('POST', '/v1/otp', {
    token,
    body: { otp_type: 'registration', otp_channel: channel, registration_id: registration.json.id },
  })
  expect(otp.status, otp.text).toBe(201)
  return { registration: registration.json, otp: otp.json }
}

async function codeOf(referenceNumber: string): Promise<string> {
  const listed = await gateway.sim('GET', `/__sim/otps?reference_number=${referenceNumber}`)
  const otps = listed.json.otps ?? listed.json
  return otps.at(-1).code
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const upstreamCount = async (path: string) =>
  (await gateway.sim('GET', `/__sim/requests/count?path=${path}`)).json.count as number

describe('OTP edge cases', () => {
  it('a wrong code: 422 with attempts_left', async () => {
    const { registration, otp } = await sentOtp()
    const response = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
      token,
      body: { otp_code: wrong(await codeOf(registration.reference_number)) },
    })
    expect(response.status).toBe(422)
    expect(response.json).toMatchObject({ code: 'OTP_INVALID', attempts_left: 2 })
  })

  it('three wrong codes lock the transaction: 423, even for the right code, without asking Privy', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    const results: number[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
        token,
        body: { otp_code: wrong(code) },
      })
      results.push(response.status)
    }
    // The third wrong code locks the transaction at Privy, which answers 423 at once.
    expect(results).toEqual([422, 422, 423])
    const validations = await upstreamCount('/web/api/v2/register/otp-validation')
    const right = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
      token,
      body: { otp_code: code },
    })
    expect(right.status).toBe(423)
    expect(right.json.code).toBe('OTP_LOCKED')
    expect(await upstreamCount('/web/api/v2/register/otp-validation')).toBe(validations)
    const shown = await gateway.call('GET', `/v1/registrations/${registration.id}`, { token })
    expect(shown.json.status).toBe('waiting_otp')
  })

  it('an expired code: 410 OTP_EXPIRED', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    const listed = await gateway.sim('GET', `/__sim/otps?reference_number=${registration.reference_number}`)
    const transactionId = (listed.json.otps ?? listed.json).at(-1).transaction_id
    await gateway.sim('POST', `/__sim/otps/${transactionId}/expire`, {})
    const response = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
      token,
      body: { otp_code: code },
    })
    expect(response.status).toBe(410)
    expect(response.json.code).toBe('OTP_EXPIRED')
  })

  it('a code past its expires_at is refused by the gateway itself', async () => {
    const { registration, otp } = await sentOtp()
    const code = await codeOf(registration.reference_number)
    gateway.clock.advance(16 * 60_000)
    try {
      const validations = await upstreamCount('/web/api/v2/register/otp-validation')
      const response = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
        token,
        body: { otp_code: code },
      })
      expect(response.status).toBe(410)
      expect(await upstreamCount('/web/api/v2/register/otp-validation')).toBe(validations)
    } finally {
      gateway.clock.advance(-16 * 60_000)
    }
  })

  it('a resend too early: 429 with Retry-After, no SMS spent', async () => {
    const { otp } = await sentOtp()
    const resends = await upstreamCount('/web/api/v2/register/otp-resend')
    const response = await gateway.call('POST', `/v1/otp/${otp.id}/resend`, { token })
    expect(response.status).toBe(429)
    expect(response.json.code).toBe('OTP_RESEND_TOO_EARLY')
    const retryAfter = Number(response.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(50)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await upstreamCount('/web/api/v2/register/otp-resend')).toBe(resends)
  })

  it('two resends are allowed; the fourth send is refused', async () => {
    const { registration, otp } = await sentOtp('email')
    const listed = await gateway.sim('GET', `/__sim/otps?reference_number=${registration.reference_number}`)
    const transactionId = (listed.json.otps ?? listed.json).at(-1).transaction_id
    let current = otp
    for (const left of [1, 0]) {
      gateway.clock.advance(61_000)
      await gateway.sim('POST', `/__sim/otps/${transactionId}/allow-resend`, {})
      const resent = await gateway.call('POST', `/v1/otp/${otp.id}/resend`, { token })
      expect(resent.status, resent.text).toBe(200)
      expect(resent.json.requests_left).toBe(left)
      expect(Date.parse(resent.json.resend_available_at)).toBeGreaterThan(
        Date.parse(current.resend_available_at),
      )
      current = resent.json
    }
    gateway.clock.advance(61_000)
    const fourth = await gateway.call('POST', `/v1/otp/${otp.id}/resend`, { token })
    expect(fourth.status).toBe(429)
    expect(fourth.json.code).toBe('OTP_SEND_LIMIT_REACHED')
    // The newest code works; the older ones were replaced.
    const code = await codeOf(registration.reference_number)
    const validated = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
      token,
      body: { otp_code: code },
    })
    expect(validated.status, validated.text).toBe(200)
  })

  it("validating or resending another user's transaction: 404", async () => {
    const { registration, otp } = await sentOtp()
    const stranger = await gateway.userToken('user-otp-stranger')
    const code = await codeOf(registration.reference_number)
    const validate = await gateway.call('POST', `/v1/otp/${otp.id}/validate`, {
      token: stranger,
      body: { otp_code: code },
    })
    expect(validate.status).toBe(404)
    const resend = await gateway.call('POST', `/v1/otp/${otp.id}/resend`, { token: stranger })
    expect(resend.status).toBe(404)
    const request = await gateway.call('POST', '/v1/otp', {
      token: stranger,
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id },
    })
    expect(request.status).toBe(404)
  })

  it('a second OTP for the same registration is refused while the first can be resent', async () => {
    const { registration, otp } = await sentOtp()
    const sends = await upstreamCount('/web/api/v2/register/otp')
    const again = await gateway.call('POST', '/v1/otp', {
      token,
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id },
    })
    expect(again.status).toBe(409)
    expect(again.json).toMatchObject({ code: 'OTP_ALREADY_SENT', otp_id: otp.id })
    expect(await upstreamCount('/web/api/v2/register/otp')).toBe(sends)
  })

  it('an OTP for a registration that does not need one: 409', async () => {
    const registration = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson({ phone_verified: true }),
    })
    const response = await gateway.call('POST', '/v1/otp', {
      token,
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.json.id },
    })
    expect(response.status).toBe(409)
    expect(response.json.registration_status).toBe('waiting_verification')
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
