import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { a4Pdf, signatureAt, uploadForm, verifiedUser } from '../helpers/documents.js'
import { type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import {
  type Caller,
  DAY_MS,
  expectRefusal,
  freshPhone,
  HOUR_MS,
  headersOf,
  OTP_PATH,
  RESEND_PATH,
  requestOtp,
  slidingRetryAfter,
  startOfNextDay,
  upstream,
  VALIDATION_PATH,
  waitingRegistration,
} from '../helpers/otp-limits.js'

// Abuse limits of OTP sends and checks, through the real gateway, database and simulator.

describe('OTP send limits', () => {
  const gateway = useGateway({
    TRUST_PROXY: 'loopback',
    OTP_SENDS_PER_USER_PER_HOUR: '3',
    OTP_SENDS_PER_PHONE_PER_HOUR: '2',
    OTP_SENDS_PER_PHONE_PER_DAY: '3',
    OTP_SENDS_PER_IP_PER_HOUR: '4',
    OTP_DAILY_BUDGET: '1000',
  })
  beforeAll(() => startOfNextDay(gateway))
  afterEach(async () => {
    await gateway.sim('DELETE', '/__sim/faults')
  })

  it('per user: the fourth send in an hour is refused before Privy, and allowed again after Retry-After', async () => {
    const user: Caller = { token: await gateway.userToken('limits-user'), ip: '198.51.100.1' }
    const registrations = []
    for (let index = 0; index < 5; index++) {
      registrations.push(await waitingRegistration(gateway, user, freshPhone()))
    }
    for (const registration of registrations.slice(0, 3)) {
      const sent = await requestOtp(gateway, user, registration.id)
      expect(sent.status, sent.text).toBe(201)
    }
    const before = await upstream(gateway)
    const refused = await requestOtp(gateway, user, registrations[3]?.id ?? '')
    const retryAfter = expectRefusal(refused, 'otp_sends_per_user_per_hour')
    expect(refused.json.detail).toContain('3 OTP sends per user per hour')
    expect(Math.abs(retryAfter - slidingRetryAfter(gateway, HOUR_MS, 3, 3))).toBeLessThanOrEqual(2)
    expect(await upstream(gateway)).toEqual(before)

    // Another user from the same address is not held back by this user's count.
    const other: Caller = { token: await gateway.userToken('limits-user-2'), ip: '198.51.100.1' }
    const otherSent = await requestOtp(
      gateway,
      other,
      (await waitingRegistration(gateway, other, freshPhone())).id,
    )
    expect(otherSent.status, otherSent.text).toBe(201)

    // A minute short of Retry-After it is still refused; at Retry-After one more goes.
    gateway.clock.advance((retryAfter - 60) * 1000)
    expectRefusal(await requestOtp(gateway, user, registrations[3]?.id ?? ''), 'otp_sends_per_user_per_hour')
    gateway.clock.advance(60_000)
    const later = await requestOtp(gateway, user, registrations[3]?.id ?? '')
    expect(later.status, later.text).toBe(201)
    expectRefusal(await requestOtp(gateway, user, registrations[4]?.id ?? ''), 'otp_sends_per_user_per_hour')
  })

  it('per phone: sends to one number are counted across users, per hour and per day; email is not', async () => {
    const phone = freshPhone()
    const first: Caller = { token: await gateway.userToken('phone-a'), ip: '198.51.100.2' }
    const second: Caller = { token: await gateway.userToken('phone-b'), ip: '198.51.100.3' }
    for (const caller of [first, second]) {
      const sent = await requestOtp(gateway, caller, (await waitingRegistration(gateway, caller, phone)).id)
      expect(sent.status, sent.text).toBe(201)
    }
    const third = await waitingRegistration(gateway, first, phone)
    const before = await upstream(gateway)
    const refused = await requestOtp(gateway, first, third.id)
    const hourRetryAfter = expectRefusal(refused, 'otp_sends_per_phone_per_hour', phone)
    expect(Math.abs(hourRetryAfter - slidingRetryAfter(gateway, HOUR_MS, 2, 2))).toBeLessThanOrEqual(2)
    expect(refused.json.detail).toContain('2 OTP sends per phone number per hour')
    expect(await upstream(gateway)).toEqual(before)
    const messages = (await gateway.sim('GET', `/__sim/messages?phone=${phone}`)).json.messages
    expect(messages).toHaveLength(2)

    // An email does not ring the phone.
    const byEmail = await requestOtp(gateway, first, third.id, 'email')
    expect(byEmail.status, byEmail.text).toBe(201)

    // After Retry-After one more SMS fits the hour and the day's 3; the fourth of the day does not.
    gateway.clock.advance(hourRetryAfter * 1000)
    const fourth = await waitingRegistration(gateway, second, phone)
    const fifth = await waitingRegistration(gateway, second, phone)
    expect((await requestOtp(gateway, second, fourth.id)).status).toBe(201)
    const dayRefusal = await requestOtp(gateway, second, fifth.id)
    const retryAfter = expectRefusal(dayRefusal, 'otp_sends_per_phone_per_day', phone)
    expect(Math.abs(retryAfter - slidingRetryAfter(gateway, DAY_MS, 3, 3))).toBeLessThanOrEqual(2)
    expect(gateway.logs.text()).not.toContain(phone)
  })

  it('a resend is a send: it counts, and past the limit it is refused before Privy', async () => {
    const phone = freshPhone()
    const caller: Caller = { token: await gateway.userToken('resender'), ip: '198.51.100.4' }
    const registration = await waitingRegistration(gateway, caller, phone)
    const otp = await requestOtp(gateway, caller, registration.id)
    expect(otp.status, otp.text).toBe(201)
    const listed = await gateway.sim('GET', `/__sim/otps?reference_number=${registration.reference_number}`)
    const transactionId = (listed.json.otps ?? listed.json).at(-1).transaction_id
    const resend = () =>
      gateway.call('POST', `/v1/otp/${otp.json.id}/resend`, {
        token: caller.token,
        headers: headersOf(caller),
      })

    await gateway.sim('POST', `/__sim/otps/${transactionId}/allow-resend`, {})
    const resent = await resend()
    expect(resent.status, resent.text).toBe(200)
    await gateway.sim('POST', `/__sim/otps/${transactionId}/allow-resend`, {})
    const before = await upstream(gateway, RESEND_PATH)
    const refused = await resend()
    expectRefusal(refused, 'otp_sends_per_phone_per_hour', phone)
    expect(await upstream(gateway, RESEND_PATH)).toEqual(before)
  })

  it('per address: the fifth send from one client address in an hour is refused, whoever asks', async () => {
    const ip = '203.0.113.50'
    const callers: Caller[] = []
    for (let index = 0; index < 5; index++) {
      callers.push({ token: await gateway.userToken(`address-user-${index}`), ip })
    }
    const registrations = []
    for (const caller of callers) registrations.push(await waitingRegistration(gateway, caller, freshPhone()))
    for (let index = 0; index < 4; index++) {
      const sent = await requestOtp(gateway, callers[index] ?? {}, registrations[index]?.id ?? '')
      expect(sent.status, sent.text).toBe(201)
    }
    const before = await upstream(gateway)
    const refused = await requestOtp(gateway, callers[4] ?? {}, registrations[4]?.id ?? '')
    expectRefusal(refused, 'otp_sends_per_ip_per_hour')
    expect(await upstream(gateway)).toEqual(before)
    // Behind the trusted proxy, another client address has its own count.
    const elsewhere = await requestOtp(
      gateway,
      { ...callers[4], ip: '203.0.113.51' },
      registrations[4]?.id ?? '',
    )
    expect(elsewhere.status, elsewhere.text).toBe(201)
  })

  it('an operator is not counted per user, but the phone is protected from operators too', async () => {
    // Sends to many phones from one operator key: past the per-user limit (3), up to the address (4).
    const operator: Caller = { apiKey: TEST_API_KEY, ip: '203.0.113.60' }
    const phones = [freshPhone(), freshPhone(), freshPhone(), freshPhone(), freshPhone()]
    const registrations = []
    for (const phone of phones) registrations.push(await waitingRegistration(gateway, operator, phone))
    for (let index = 0; index < 4; index++) {
      const sent = await requestOtp(gateway, operator, registrations[index]?.id ?? '')
      expect(sent.status, sent.text).toBe(201)
    }
    expectRefusal(
      await requestOtp(gateway, operator, registrations[4]?.id ?? ''),
      'otp_sends_per_ip_per_hour',
      phones[4],
    )
    // One phone, from an operator on another address: its hourly limit (2) holds for operators too.
    const other: Caller = { apiKey: TEST_API_KEY, ip: '203.0.113.61' }
    const victim = freshPhone()
    const aimed = []
    for (let index = 0; index < 3; index++) aimed.push(await waitingRegistration(gateway, other, victim))
    for (let index = 0; index < 2; index++) {
      const sent = await requestOtp(gateway, other, aimed[index]?.id ?? '')
      expect(sent.status, sent.text).toBe(201)
    }
    expectRefusal(
      await requestOtp(gateway, other, aimed[2]?.id ?? ''),
      'otp_sends_per_phone_per_hour',
      victim,
    )
  })

  it('a send Privy refused does not count', async () => {
    const caller: Caller = { token: await gateway.userToken('refused-by-privy'), ip: '198.51.100.7' }
    const registrations = []
    for (let index = 0; index < 3; index++) {
      registrations.push(await waitingRegistration(gateway, caller, freshPhone()))
    }
    await gateway.sim('POST', '/__sim/faults', { path: OTP_PATH, kind: 'status', status: 400, times: 1 })
    const failed = await requestOtp(gateway, caller, registrations[0]?.id ?? '')
    expect(failed.status).not.toBe(201)
    expect(failed.status).not.toBe(429)
    for (const registration of registrations) {
      const sent = await requestOtp(gateway, caller, registration.id)
      expect(sent.status, sent.text).toBe(201)
    }
  })

  it('a concurrent burst cannot overspend: exactly the limit goes through', async () => {
    const caller: Caller = { token: await gateway.userToken('burst-user'), ip: '198.51.100.8' }
    const registrations = []
    for (let index = 0; index < 8; index++) {
      registrations.push(await waitingRegistration(gateway, caller, freshPhone()))
    }
    const before = await upstream(gateway)
    const answers = await Promise.all(
      registrations.map((registration) => requestOtp(gateway, caller, registration.id)),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(3)
    for (const answer of answers.filter((answer) => answer.status !== 201)) {
      expectRefusal(answer, 'otp_sends_per_user_per_hour')
    }
    const after = await upstream(gateway)
    expect(after.count - before.count).toBe(3)
  })
})

describe('client address without TRUST_PROXY', () => {
  const gateway = useGateway({ OTP_SENDS_PER_IP_PER_HOUR: '3' })
  beforeAll(() => startOfNextDay(gateway))

  it('X-Forwarded-For is not believed: rotating it does not escape the per-address limit', async () => {
    const answers = []
    for (let index = 0; index < 4; index++) {
      const caller: Caller = { token: await gateway.userToken(`xff-${index}`), ip: `192.0.2.${index + 1}` }
      answers.push(
        await requestOtp(gateway, caller, (await waitingRegistration(gateway, caller, freshPhone())).id),
      )
    }
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([201, 201, 201])
    expectRefusal(answers[3] as CallResult, 'otp_sends_per_ip_per_hour')
  })
})

describe('OTP check limits', () => {
  const gateway = useGateway()
  let token: string
  beforeAll(async () => {
    token = await gateway.userToken('guesser')
  })
  afterEach(async () => {
    await gateway.sim('DELETE', '/__sim/faults')
  })

  async function sentOtp() {
    const registration = await waitingRegistration(gateway, { token }, freshPhone())
    const otp = await requestOtp(gateway, { token }, registration.id)
    expect(otp.status, otp.text).toBe(201)
    const listed = await gateway.sim('GET', `/__sim/otps?reference_number=${registration.reference_number}`)
    const code = (listed.json.otps ?? listed.json).at(-1).code as string
    return { id: otp.json.id as string, code, wrong: code === '000000' ? '111111' : '000000' }
  }
  const validate = (id: string, code: string) =>
    gateway.call('POST', `/v1/otp/${id}/validate`, { token, body: { otp_code: code } })

  it('ten concurrent guesses: no more than the 3 attempts Privy allows reach it, then the OTP is locked', async () => {
    const otp = await sentOtp()
    const before = await upstream(gateway, VALIDATION_PATH)
    const answers = await Promise.all(Array.from({ length: 10 }, () => validate(otp.id, otp.wrong)))
    const after = await upstream(gateway, VALIDATION_PATH)
    expect(after.count - before.count).toBe(3)
    // Privy saw two wrong codes (422) and locked at the third (423); the others never left the gateway.
    for (const answer of answers) expect([422, 423, 429]).toContain(answer.status)
    expect(answers.filter((answer) => answer.status === 422).length).toBeLessThanOrEqual(2)
    const refused = answers.filter((answer) => answer.status === 429)
    expect(refused.length).toBeGreaterThan(0)
    for (const answer of refused) expectRefusal(answer, 'otp_checks_per_transaction')
    const right = await validate(otp.id, otp.code)
    expect(right.status).toBe(423)
    expect((await upstream(gateway, VALIDATION_PATH)).count).toBe(after.count)
  })

  it('a check Privy did not count (it failed before checking) is given back', async () => {
    const otp = await sentOtp()
    await gateway.sim('POST', '/__sim/faults', {
      path: VALIDATION_PATH,
      kind: 'status',
      status: 400,
      times: 2,
    })
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await validate(otp.id, otp.wrong)
      expect(failed.status).toBe(502)
    }
    expect((await validate(otp.id, otp.wrong)).status).toBe(422)
    expect((await validate(otp.id, otp.wrong)).status).toBe(422)
    const right = await validate(otp.id, otp.code)
    expect(right.status, right.text).toBe(200)
  })
})

describe('signing OTPs', () => {
  const gateway = useGateway(async () => ({
    OTP_SENDS_PER_PHONE_PER_HOUR: '1',
  }))
  beforeAll(() => startOfNextDay(gateway))

  it("are counted against the signer's phone, the one their registration gave", async () => {
    const signer = await verifiedUser(gateway, 'limits-signer')
    const officer = await gateway.userToken('limits-officer')
    const documentIds: string[] = []
    for (let index = 0; index < 2; index++) {
      const uploaded = await gateway.call('POST', '/v1/documents', {
        token: officer,
        form: uploadForm(await a4Pdf(), {
          title: `Agreement ${index}`,
          signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 50)] }],
        }),
      })
      expect(uploaded.status, uploaded.text).toBe(201)
      documentIds.push(uploaded.json.id)
    }
    const ask = (documentId: string) =>
      gateway.call('POST', '/v1/otp', {
        token: signer.token,
        body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [documentId] },
      })
    const first = await ask(documentIds[0] ?? '')
    expect(first.status, first.text).toBe(201)
    const before = await upstream(gateway, '/web/api/v2/doc-signing/otp/request')
    expectRefusal(await ask(documentIds[1] ?? ''), 'otp_sends_per_phone_per_hour')
    expect(await upstream(gateway, '/web/api/v2/doc-signing/otp/request')).toEqual(before)
  })
})
