import type { GatewayClient, OtpRequest } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { EnvSchema } from '../../src/config/env-schema.js'
import { register } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { useGateway } from '../helpers/gateway.js'
import { freshPhone } from '../helpers/otp-limits.js'

// The OTP policy of issue 14: the live code is answered again instead of a new SMS, another channel
// on the same registration is a new OTP counted where it goes, and what reached the person is counted
// at the simulator (every message it sent), never inferred from the gateway's answers.

const gateway = useGateway({
  // Tight enough that one extra send anywhere would be refused: a reused answer must not count.
  OTP_SENDS_PER_PHONE_PER_HOUR: '1',
  OTP_SENDS_PER_EMAIL_PER_HOUR: '1',
  // The default (the test harness turns it up): every caller here shares 127.0.0.1.
  OTP_SENDS_PER_IP_PER_HOUR: String(EnvSchema.parse({}).OTP_SENDS_PER_IP_PER_HOUR),
})
let user: GatewayClient
let registrations = 0

// The clock stays with the simulator's (it dates the codes): a sliding hour needs no fresh start.
beforeAll(async () => {
  user = await clientFor(gateway, 'user-otp-policy')
})

/** A registration waiting for its OTP, with a phone and an email no other test uses. */
async function waiting(overrides: { phone?: string; email?: string } = {}) {
  registrations += 1
  const token = await gateway.userToken('user-otp-policy')
  return register(
    gateway,
    { token },
    { phone: freshPhone(), email: `policy.${process.pid}.${registrations}@example.co.id`, ...overrides },
  )
}

const ask = (registrationId: string, channel: 'sms' | 'email' = 'sms') =>
  user.raw.POST('/v1/otp', {
    body: { otp_type: 'registration', otp_channel: channel, registration_id: registrationId } as OtpRequest,
  })

/** Every message the simulator sent, by channel: what a phone or an inbox received. */
async function sent() {
  const listed = await gateway.sim('GET', '/__sim/messages')
  const messages = listed.json.messages as Array<{ channel: string }>
  return {
    sms: messages.filter((message) => message.channel === 'sms').length,
    email: messages.filter((message) => message.channel === 'email').length,
  }
}

describe('no new OTP while a valid code exists', () => {
  it('a second request answers 200 with the live transaction, reused, and sends nothing', async () => {
    const registration = await waiting()
    const first = await ask(registration.id)
    expect(first.response.status, JSON.stringify(first.error)).toBe(201)
    expect(first.data?.reused).toBe(false)
    const before = await sent()

    const again = await ask(registration.id)
    expect(again.response.status, JSON.stringify(again.error)).toBe(200)
    expect(again.data).toMatchObject({
      id: first.data?.id,
      reused: true,
      status: 'active',
      expires_at: first.data?.expires_at,
      resend_available_at: first.data?.resend_available_at,
      requests_left: first.data?.requests_left,
    })
    // The per-phone limit is 1 an hour: had the second answer been counted, a third would be refused.
    const third = await ask(registration.id)
    expect(third.response.status, JSON.stringify(third.error)).toBe(200)
    expect(third.data?.id).toBe(first.data?.id)
    expect(await sent()).toEqual(before)
  })

  it('under a new Idempotency-Key the answer is the live one too, and replaying that key answers the same', async () => {
    const registration = await waiting()
    const first = await ask(registration.id)
    expect(first.response.status).toBe(201)
    const before = await sent()
    const body = { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id }
    const keyed = () =>
      user.raw.POST('/v1/otp', {
        body: body as OtpRequest,
        headers: { 'idempotency-key': `policy-${process.pid}-${registration.id}` },
      })
    const again = await keyed()
    expect(again.response.status, JSON.stringify(again.error)).toBe(200)
    expect(again.data).toMatchObject({ id: first.data?.id, reused: true })
    const replayed = await keyed()
    expect(replayed.response.status).toBe(200)
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true')
    expect(replayed.data).toMatchObject({ id: first.data?.id, reused: true })
    expect(await sent()).toEqual(before)
  })
})

describe('switching channel on the same registration', () => {
  it('SMS, then email: a new OTP by email, and a repeat of either answers its own live one', async () => {
    const registration = await waiting()
    const before = await sent()
    const sms = await ask(registration.id, 'sms')
    expect(sms.response.status, JSON.stringify(sms.error)).toBe(201)
    const email = await ask(registration.id, 'email')
    expect(email.response.status, JSON.stringify(email.error)).toBe(201)
    expect(email.data).toMatchObject({ otp_channel: 'email', reused: false })
    expect(email.data?.id).not.toBe(sms.data?.id)
    expect(await sent()).toEqual({ sms: before.sms + 1, email: before.email + 1 })

    const emailAgain = await ask(registration.id, 'email')
    expect(emailAgain.response.status).toBe(200)
    expect(emailAgain.data).toMatchObject({ id: email.data?.id, reused: true })
    const smsAgain = await ask(registration.id, 'sms')
    expect(smsAgain.response.status).toBe(200)
    expect(smsAgain.data).toMatchObject({ id: sms.data?.id, reused: true })
    expect(await sent()).toEqual({ sms: before.sms + 1, email: before.email + 1 })
  })

  it("is counted against both the phone's and the email's limits", async () => {
    const phone = freshPhone()
    const address = `switch.${process.pid}@example.co.id`
    const first = await waiting({ phone, email: address })
    expect((await ask(first.id, 'sms')).response.status).toBe(201)
    expect((await ask(first.id, 'email')).response.status).toBe(201)
    const before = await sent()

    // Another registration of the same person: both of its channels are spent for this hour.
    const second = await waiting({ phone, email: address })
    const bySms = await ask(second.id, 'sms')
    expect(bySms.response.status, JSON.stringify(bySms.error)).toBe(429)
    expect(bySms.error).toMatchObject({ code: 'OTP_RATE_LIMITED', limit: 'otp_sends_per_phone_per_hour' })
    const byEmail = await ask(second.id, 'email')
    expect(byEmail.response.status, JSON.stringify(byEmail.error)).toBe(429)
    expect(byEmail.error).toMatchObject({ code: 'OTP_RATE_LIMITED', limit: 'otp_sends_per_email_per_hour' })
    expect(await sent()).toEqual(before)
  })
})

describe('carrier-grade NAT', () => {
  it('many people behind one address each get their code (the per-address limit is off by default)', async () => {
    const people = 15
    const before = await sent()
    for (let person = 0; person < people; person += 1) {
      const client = await clientFor(gateway, `user-otp-policy-nat-${person}`)
      const token = await gateway.userToken(`user-otp-policy-nat-${person}`)
      const registration = await register(
        gateway,
        { token },
        { phone: freshPhone(), email: `nat.${process.pid}.${person}@example.co.id` },
      )
      const answer = await client.raw.POST('/v1/otp', {
        body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id },
      })
      expect(answer.response.status, JSON.stringify(answer.error)).toBe(201)
    }
    expect((await sent()).sms).toBe(before.sms + people)
  })
})

describe('once the live code has expired', () => {
  it('a request answers 409 OTP_ALREADY_SENT pointing at the resend, and sends nothing', async () => {
    const registration = await waiting()
    const first = await ask(registration.id)
    expect(first.response.status).toBe(201)
    const before = await sent()
    // Last in this file: the clock moves past the code's 15 minutes (docs/privy-contract.md §4).
    gateway.clock.advance(16 * 60_000)
    const again = await ask(registration.id)
    expect(again.response.status, JSON.stringify(again.error)).toBe(409)
    expect(again.error).toMatchObject({ code: 'OTP_ALREADY_SENT', otp_id: first.data?.id })
    expect(await sent()).toEqual(before)
  })
})
