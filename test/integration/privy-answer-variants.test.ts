import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ANSWER_STYLES, type AnswerStyle } from '../../src/simulator/answer-styles.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'

// Contract "What we accept": the simulator says its answers each way a reasonable Privy (or a proxy
// in front of it) may, and the real gateway, over HTTP, reads every way into the same answer.

let gateway: TestGateway
let token: string

beforeAll(async () => {
  gateway = await startTestGateway()
  token = await gateway.userToken('user-answer-variants')
})
afterEach(async () => {
  await gateway.sim('POST', '/__sim/settings', { answer_style: 'contract' })
})
afterAll(async () => {
  await gateway?.close()
})

const VALIDATION_PATH = '/web/api/v2/register/otp-validation'
const STATUS_PATH = '/web/api/v2/register/status'

const useStyle = async (style: AnswerStyle) => {
  const settings = await gateway.sim('POST', '/__sim/settings', { answer_style: style })
  expect(settings.json.answer_style).toBe(style)
}

/** A registration and its OTP, both created while the simulator answers in the current style. */
async function sentOtp() {
  const registration = await gateway.call('POST', '/v1/registrations', {
    token,
    body: await fullRegistrationJson(),
  })
  expect(registration.status, registration.text).toBe(201)
  const otp = await gateway.call('POST', '/v1/otp', {
    token,
    body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.json.id },
  })
  expect(otp.status, otp.text).toBe(201)
  const listed = await gateway.sim(
    'GET',
    `/__sim/otps?reference_number=${registration.json.reference_number}`,
  )
  const latest = (listed.json.otps ?? listed.json).at(-1)
  return {
    registration: registration.json,
    otp: otp.json,
    code: latest.code as string,
    transactionId: latest.transaction_id,
  }
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const validate = (otpId: string, code: string) =>
  gateway.call('POST', `/v1/otp/${otpId}/validate`, { token, body: { otp_code: code } })

/** The Request-ID the gateway sent on the last call to `path`, from the simulator's own log. */
async function lastRequestId(path: string): Promise<string> {
  const { json } = await gateway.sim('GET', `/__sim/requests?path=${path}`)
  return json.requests.at(-1).request_id
}

const JSON_STYLES = ANSWER_STYLES.filter((style) => style !== 'html')

describe.each(JSON_STYLES)('answer style %s', (style) => {
  it('a wrong code is 422 OTP_INVALID with attempts_left, an expired one 410, the right one validates', async () => {
    await useStyle(style)
    const first = await sentOtp()
    const wrongCode = await validate(first.otp.id, wrong(first.code))
    expect(wrongCode.status, wrongCode.text).toBe(422)
    expect(wrongCode.json).toMatchObject({ code: 'OTP_INVALID', attempts_left: 2 })

    await gateway.sim('POST', `/__sim/otps/${first.transactionId}/expire`, {})
    const expired = await validate(first.otp.id, first.code)
    expect(expired.status, expired.text).toBe(410)
    expect(expired.json.code).toBe('OTP_EXPIRED')

    const second = await sentOtp()
    const right = await validate(second.otp.id, second.code)
    expect(right.status, right.text).toBe(200)
  })
})

const RESEND_PATH = '/web/api/v2/register/otp-resend'

/** A resend the gateway lets through (its own 60 s mirror has passed) and Privy refuses as too early. */
async function resendRefusedByPrivy(data?: Record<string, number | string>) {
  const { otp } = await sentOtp()
  await gateway.sim('POST', '/__sim/faults', { path: RESEND_PATH, kind: 'status', status: 429, data })
  gateway.clock.advance(61_000)
  try {
    return await gateway.call('POST', `/v1/otp/${otp.id}/resend`, { token })
  } finally {
    gateway.clock.advance(-61_000)
  }
}

describe.each(JSON_STYLES)('answer style %s, a resend too early', (style) => {
  it("is 429 OTP_RESEND_TOO_EARLY with Privy's retry_after as Retry-After", async () => {
    await useStyle(style)
    const answer = await resendRefusedByPrivy({ retry_after: 300 })
    expect(answer.status, answer.text).toBe(429)
    expect(answer.json.code).toBe('OTP_RESEND_TOO_EARLY')
    expect(answer.headers['retry-after']).toBe('300')
  })
})

describe('answers a proxy sends instead of Privy (HTML pages)', () => {
  it('a 429 page says enough by its status: 429 OTP_RESEND_TOO_EARLY, with the 60 s of the contract', async () => {
    await useStyle('html')
    const answer = await resendRefusedByPrivy({ retry_after: 300 })
    expect(answer.status, answer.text).toBe(429)
    expect(answer.json.code).toBe('OTP_RESEND_TOO_EARLY')
    expect(answer.headers['retry-after']).toBe('60')
  })

  it('a refused code the gateway cannot read is 502 UPSTREAM_UNREADABLE naming the request, and the OTP stays usable', async () => {
    const { otp, code } = await sentOtp()
    await useStyle('html')
    const answer = await validate(otp.id, wrong(code))
    expect(answer.status, answer.text).toBe(502)
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(answer.json).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 422, request_id: await lastRequestId(VALIDATION_PATH) },
    })
    // No advice the next call would contradict: nothing says to request a new OTP.
    expect(answer.json.detail).not.toMatch(/new (one|OTP)/i)
    expect(answer.text).not.toContain('<html')

    await useStyle('contract')
    const right = await validate(otp.id, code)
    expect(right.status, right.text).toBe(200)
  })

  it('an HTML 422 on a register is 502 UPSTREAM_UNREADABLE, not a rejection naming no field', async () => {
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: '/web/api/v2/register', kind: 'status', status: 422 })
    const answer = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson(),
    })
    expect(answer.status, answer.text).toBe(502)
    expect(answer.json).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 422, request_id: await lastRequestId('/web/api/v2/register') },
    })
    expect(answer.json.errors).toBeUndefined()
  })

  it('an HTML 404 on a status read is 502 UPSTREAM_UNREADABLE, and the stored registration is kept', async () => {
    const registration = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson(),
    })
    expect(registration.status, registration.text).toBe(201)
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: STATUS_PATH, kind: 'status', status: 404 })
    const answer = await gateway.call('GET', `/v1/registrations/${registration.json.id}?refresh=true`, {
      token,
    })
    expect(answer.status, answer.text).toBe(502)
    expect(answer.json).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 404, request_id: await lastRequestId(STATUS_PATH) },
    })
    const stored = await gateway.call('GET', `/v1/registrations/${registration.json.id}`, { token })
    expect(stored.status).toBe(200)
    expect(stored.json.status).toBe('waiting_otp')
  })

  it('an HTML 503 says enough by its status: 503 UPSTREAM_UNAVAILABLE after the safe retries', async () => {
    const registration = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson(),
    })
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: STATUS_PATH, kind: 'status', status: 503, times: 3 })
    const answer = await gateway.call('GET', `/v1/registrations/${registration.json.id}?refresh=true`, {
      token,
    })
    expect(answer.status, answer.text).toBe(503)
    expect(answer.json.code).toBe('UPSTREAM_UNAVAILABLE')
  })
})
