import type { GatewayClient } from '@privy-gateway/client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ANSWER_STYLES, type AnswerStyle } from '../../src/simulator/answer-styles.js'
import { latestSimOtp, register, requestOtp } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'

// Contract "What we accept": the simulator says its answers each way a reasonable Privy (or a proxy
// in front of it) may, and the real gateway, over HTTP, reads every way into the same answer.

const USER = 'user-answer-variants'
const gateway = useGateway()
let client: GatewayClient
beforeAll(async () => {
  client = await clientFor(gateway, USER)
})
afterEach(async () => {
  await gateway.sim('POST', '/__sim/settings', { answer_style: 'contract' })
})

const VALIDATION_PATH = '/web/api/v2/register/otp-validation'
const STATUS_PATH = '/web/api/v2/register/status'

const useStyle = async (style: AnswerStyle) => {
  const settings = await gateway.sim('POST', '/__sim/settings', { answer_style: style })
  expect(settings.json.answer_style).toBe(style)
}

/** A registration and its OTP, both created while the simulator answers in the current style. */
async function sentOtp() {
  const registration = await register(gateway, USER)
  const otp = await requestOtp(gateway, USER, registration.id)
  const latest = await latestSimOtp(gateway, { reference_number: registration.reference_number })
  return { registration, otp, code: latest.code, transactionId: latest.transaction_id }
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const validate = (otpId: string, code: string) =>
  client.raw.POST('/v1/otp/{id}/validate', { params: { path: { id: otpId } }, body: { otp_code: code } })
const refreshed = (id: string) =>
  client.raw.GET('/v1/registrations/{id}', { params: { path: { id }, query: { refresh: 'true' } } })

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
    expect(wrongCode.response.status).toBe(422)
    expect(wrongCode.error).toMatchObject({ code: 'OTP_INVALID', attempts_left: 2 })

    await gateway.sim('POST', `/__sim/otps/${first.transactionId}/expire`, {})
    const expired = await validate(first.otp.id, first.code)
    expect(expired.response.status).toBe(410)
    expect(expired.error?.code).toBe('OTP_EXPIRED')

    const second = await sentOtp()
    const right = await validate(second.otp.id, second.code)
    expect(right.response.status, JSON.stringify(right.error)).toBe(200)
  })
})

const RESEND_PATH = '/web/api/v2/register/otp-resend'

/** A resend the gateway lets through (its own 60 s mirror has passed) and Privy refuses as too early. */
async function resendRefusedByPrivy(data?: Record<string, number | string>) {
  const { otp } = await sentOtp()
  await gateway.sim('POST', '/__sim/faults', { path: RESEND_PATH, kind: 'status', status: 429, data })
  gateway.clock.advance(61_000)
  try {
    return await client.raw.POST('/v1/otp/{id}/resend', { params: { path: { id: otp.id } } })
  } finally {
    gateway.clock.advance(-61_000)
  }
}

describe.each(JSON_STYLES)('answer style %s, a resend too early', (style) => {
  it("is 429 OTP_RESEND_TOO_EARLY with Privy's retry_after as Retry-After", async () => {
    await useStyle(style)
    const answer = await resendRefusedByPrivy({ retry_after: 300 })
    expect(answer.response.status).toBe(429)
    expect(answer.error?.code).toBe('OTP_RESEND_TOO_EARLY')
    expect(answer.response.headers.get('retry-after')).toBe('300')
  })
})

describe('answers a proxy sends instead of Privy (HTML pages)', () => {
  it('a 429 page says enough by its status: 429 OTP_RESEND_TOO_EARLY, with the 60 s of the contract', async () => {
    await useStyle('html')
    const answer = await resendRefusedByPrivy({ retry_after: 300 })
    expect(answer.response.status).toBe(429)
    expect(answer.error?.code).toBe('OTP_RESEND_TOO_EARLY')
    expect(answer.response.headers.get('retry-after')).toBe('60')
  })

  it('a refused code the gateway cannot read is 502 UPSTREAM_UNREADABLE naming the request, and the OTP stays usable', async () => {
    const { otp, code } = await sentOtp()
    await useStyle('html')
    const answer = await validate(otp.id, wrong(code))
    expect(answer.response.status).toBe(502)
    expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(answer.error).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 422, request_id: await lastRequestId(VALIDATION_PATH) },
    })
    // No advice the next call would contradict: nothing says to request a new OTP.
    expect(answer.error?.detail).not.toMatch(/new (one|OTP)/i)
    expect(JSON.stringify(answer.error)).not.toContain('<html')

    await useStyle('contract')
    const right = await validate(otp.id, code)
    expect(right.response.status, JSON.stringify(right.error)).toBe(200)
  })

  it('an HTML 422 on a register is 502 UPSTREAM_UNREADABLE, not a rejection naming no field', async () => {
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: '/web/api/v2/register', kind: 'status', status: 422 })
    const body = (await fullRegistrationJson()) as Parameters<typeof client.registrations.create>[0]
    const answer = await client.raw.POST('/v1/registrations', { body })
    expect(answer.response.status).toBe(502)
    expect(answer.error).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 422, request_id: await lastRequestId('/web/api/v2/register') },
    })
    expect(answer.error?.errors).toBeUndefined()
  })

  it('an HTML 404 on a status read is 502 UPSTREAM_UNREADABLE, and the stored registration is kept', async () => {
    const registration = await register(gateway, USER)
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: STATUS_PATH, kind: 'status', status: 404 })
    const answer = await refreshed(registration.id)
    expect(answer.response.status).toBe(502)
    expect(answer.error).toMatchObject({
      code: 'UPSTREAM_UNREADABLE',
      upstream: { status: 404, request_id: await lastRequestId(STATUS_PATH) },
    })
    const stored = await client.registrations.get(registration.id).withResponse()
    expect(stored.response.status).toBe(200)
    expect(stored.data.status).toBe('waiting_otp')
  })

  it('an HTML 503 says enough by its status: 503 UPSTREAM_UNAVAILABLE after the safe retries', async () => {
    const registration = await register(gateway, USER)
    await useStyle('html')
    await gateway.sim('POST', '/__sim/faults', { path: STATUS_PATH, kind: 'status', status: 503, times: 3 })
    const answer = await refreshed(registration.id)
    expect(answer.response.status).toBe(503)
    expect(answer.error?.code).toBe('UPSTREAM_UNAVAILABLE')
  })
})
