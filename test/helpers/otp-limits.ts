import { expect } from 'vitest'
import type { CallResult, TestGateway } from './gateway.js'
import { nikFor, photo } from './identity.js'

// Shared by the abuse-limit tests (test/integration/otp-limits*.test.ts).

export const OTP_PATH = '/web/api/v2/register/otp'
export const RESEND_PATH = '/web/api/v2/register/otp-resend'
export const VALIDATION_PATH = '/web/api/v2/register/otp-validation'
export const HOUR_MS = 3600_000
export const DAY_MS = 24 * HOUR_MS

export interface Caller {
  token?: string
  apiKey?: string
  /** Sent as X-Forwarded-For: believed only behind TRUST_PROXY. */
  ip?: string
}

export const headersOf = (caller: Caller) => (caller.ip ? { 'x-forwarded-for': caller.ip } : undefined)

let images: Promise<{ ktp: string; selfie: string }> | undefined
/** Small photos (they still pass the gateway's checks): many registrations stay fast. */
const smallImages = () => {
  images ??= Promise.all([photo('jpeg', 240, 240), photo('png', 240, 240, 7)]).then(([ktp, selfie]) => ({
    ktp: ktp.toString('base64'),
    selfie: `data:image/png;base64,${selfie.toString('base64')}`,
  }))
  return images
}

/** A privy_ra registration waiting for its OTP. */
export async function waitingRegistration(
  gateway: TestGateway,
  caller: Caller,
  phone: string,
  email = 'dewi@example.co.id',
) {
  const dob = '1991-03-12'
  const created = await gateway.call('POST', '/v1/registrations', {
    token: caller.token,
    apiKey: caller.apiKey,
    headers: headersOf(caller),
    body: {
      registration_type: 'privy_ra',
      name: 'Dewi Lestari',
      email,
      phone,
      nik: nikFor(dob, { female: true }),
      dob,
      ...(await smallImages()),
      phone_verified: false,
    },
  })
  expect(created.status, created.text).toBe(201)
  expect(created.json.status).toBe('waiting_otp')
  return created.json as { id: string; reference_number: string }
}

export function requestOtp(
  gateway: TestGateway,
  caller: Caller,
  registrationId: string,
  channel: 'sms' | 'email' = 'sms',
) {
  return gateway.call('POST', '/v1/otp', {
    token: caller.token,
    apiKey: caller.apiKey,
    headers: headersOf(caller),
    body: { otp_type: 'registration', otp_channel: channel, registration_id: registrationId },
  })
}

/** What reached Privy: the requests on a path, and every message it sent. */
export async function upstream(gateway: TestGateway, path = OTP_PATH) {
  const count = (await gateway.sim('GET', `/__sim/requests/count?path=${path}`)).json.count as number
  const sms = (await gateway.sim('GET', '/__sim/messages')).json.messages.length as number
  return { count, sms }
}

/** A 429 problem of the abuse limits, naming `limit`, with Retry-After, and no phone number in it. */
export function expectRefusal(response: CallResult, limit: string, phone?: string): number {
  expect(response.status, response.text).toBe(429)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const code = limit === 'otp_sends_per_merchant_per_day' ? 'OTP_BUDGET_EXHAUSTED' : 'OTP_RATE_LIMITED'
  expect(response.json).toMatchObject({ status: 429, code, limit })
  const retryAfter = Number(response.headers['retry-after'])
  expect(Number.isInteger(retryAfter)).toBe(true)
  expect(retryAfter).toBeGreaterThan(0)
  expect(response.json.detail).toMatch(/at most \d+ /)
  if (phone) {
    expect(response.text).not.toContain(phone)
    expect(response.text).not.toContain(phone.slice(-6))
  }
  return retryAfter
}

export const gatewayNow = (gateway: TestGateway) => Date.now() + gateway.clock.offset()

/** Moves the gateway's clock to 00:05 UTC of the next day, so no window ends during a test. */
export function startOfNextDay(gateway: TestGateway): void {
  const now = gatewayNow(gateway)
  gateway.clock.advance(Math.ceil(now / DAY_MS) * DAY_MS + 5 * 60_000 - now)
}

/** Seconds from the gateway's now to the end of the current fixed window of `windowMs`. */
export const secondsToWindowEnd = (gateway: TestGateway, windowMs: number) =>
  (Math.ceil(gatewayNow(gateway) / windowMs) * windowMs - gatewayNow(gateway)) / 1000

/**
 * Retry-After of a sliding limit refused with its window full (`count` sends in this window, none in
 * the one before): past the window's end, until this window's weight leaves room for one more.
 */
export const slidingRetryAfter = (gateway: TestGateway, windowMs: number, max: number, count: number) =>
  secondsToWindowEnd(gateway, windowMs) + (windowMs / 1000) * (1 - (max - 1) / count)

let phones = 0
/** A number no other test (in any test process) uses. */
export const freshPhone = () => String(6281300000000 + process.pid * 1000 + ++phones)
