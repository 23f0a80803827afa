import { beforeAll, describe, expect, it } from 'vitest'
import { type CallResult, useGateway } from '../helpers/gateway.js'
import {
  type Caller,
  expectRefusal,
  freshPhone,
  HOUR_MS,
  requestOtp,
  slidingRetryAfter,
  startOfNextDay,
  waitingRegistration,
} from '../helpers/otp-limits.js'

// A 429 names a limit the sends really reached, under concurrency too; email OTPs are limited per
// recipient address as SMS are per phone.

const PHONE_PER_HOUR = 2
const IP_PER_HOUR = 4

const gateway = useGateway({
  TRUST_PROXY: 'loopback',
  OTP_SENDS_PER_PHONE_PER_HOUR: String(PHONE_PER_HOUR),
  OTP_SENDS_PER_IP_PER_HOUR: String(IP_PER_HOUR),
  OTP_SENDS_PER_EMAIL_PER_HOUR: '3',
  OTP_SENDS_PER_EMAIL_PER_DAY: '4',
})
beforeAll(async () => {
  startOfNextDay(gateway)
})

let addresses = 0
/** A client address of its own, so the per-address limit of one test does not reach into another. */
const freshIp = () => `198.51.100.${100 + ++addresses}`

const smsTo = async (phone: string) =>
  (await gateway.sim('GET', `/__sim/messages?phone=${phone}`)).json.messages.length as number

describe('a 429 names the limit that was really hit', () => {
  it('concurrent requests for one registration: one SMS, the rest wait, none is told a phone limit', async () => {
    const phone = freshPhone()
    const caller: Caller = { token: await gateway.userToken('same-registration'), ip: freshIp() }
    const registration = await waitingRegistration(gateway, caller, phone)
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => requestOtp(gateway, caller, registration.id)),
    )
    expect(await smsTo(phone)).toBe(1)
    const sent = answers.filter((answer) => answer.status === 201)
    expect(sent).toHaveLength(1)
    for (const answer of answers.filter((candidate) => candidate.status !== 201)) {
      // A request that arrives once the first OTP is live is answered with it (README: 200 `reused`);
      // one that arrives while it is still being sent waits, and is told which one (409). Either way
      // the OTP named is the one sent, and a phone that got one SMS is under its 2.
      if (answer.status === 200) {
        expect(answer.json.reused, answer.text).toBe(true)
        expect(answer.json.id).toBe(sent[0]?.json.id)
        continue
      }
      expect(answer.status, answer.text).toBe(409)
      expect(['OTP_ALREADY_SENT', 'OPERATION_PENDING']).toContain(answer.json.code)
      expect(answer.json.otp_id).toBe(sent[0]?.json.id)
    }
    // The phone's count is that one SMS: a second registration of the number still gets its code.
    const neighbour: Caller = { token: await gateway.userToken('same-phone-other-user'), ip: caller.ip }
    const other = await waitingRegistration(gateway, neighbour, phone)
    const second = await requestOtp(gateway, neighbour, other.id)
    expect(second.status, second.text).toBe(201)
  })

  it('a concurrent burst over shared phones and one address: every 429 names a limit the SMS reached', async () => {
    const ip = freshIp()
    const phones = [freshPhone(), freshPhone(), freshPhone()]
    const targets: Array<{ caller: Caller; phone: string; id: string }> = []
    for (const [index, phone] of phones.entries()) {
      for (let person = 0; person < 3; person++) {
        const caller: Caller = { token: await gateway.userToken(`burst-${index}-${person}`), ip }
        targets.push({ caller, phone, id: (await waitingRegistration(gateway, caller, phone)).id })
      }
    }
    // Each registration asked twice at once: 18 requests, 9 targets, 3 phones, 1 address.
    const asked = targets.flatMap((target) => [target, target])
    const answers = await Promise.all(asked.map((target) => requestOtp(gateway, target.caller, target.id)))

    const sms = new Map<string, number>()
    for (const phone of phones) sms.set(phone, await smsTo(phone))
    const total = [...sms.values()].reduce((sum, count) => sum + count, 0)
    expect(total).toBeLessThanOrEqual(IP_PER_HOUR)
    const refused: CallResult[] = []
    for (const [index, answer] of answers.entries()) {
      const target = asked[index] as (typeof asked)[number]
      if (answer.status !== 429) continue
      refused.push(answer)
      const limit = answer.json.limit
      expectRefusal(answer, limit, target.phone)
      if (limit === 'otp_sends_per_phone_per_hour') {
        expect(sms.get(target.phone), `${limit} named for a phone with fewer SMS`).toBe(PHONE_PER_HOUR)
      } else {
        expect(limit).toBe('otp_sends_per_ip_per_hour')
        expect(total, `${limit} named for an address with fewer SMS`).toBe(IP_PER_HOUR)
      }
    }
    expect(refused.length).toBeGreaterThan(0)
    // A registration that got its SMS was never refused by a limit: its twin was told to wait for it.
    const sentTo = new Set(
      answers.filter((answer) => answer.status === 201).map((answer) => answer.json.registration_id),
    )
    expect(sentTo.size).toBe(total)
    for (const [index, answer] of answers.entries()) {
      if (sentTo.has(asked[index]?.id)) expect([201, 409]).toContain(answer.status)
    }
  })
})

describe('email OTPs are limited per recipient address', () => {
  it('three an hour to one address across users and spellings; then 429 naming the email limit', async () => {
    const address = 'bombed@example.co.id'
    const spellings = [address, 'Bombed+1@Example.co.id', 'bombed+otp@example.co.id', 'BOMBED@example.co.id']
    const registrations = []
    for (const [index, spelling] of spellings.entries()) {
      const caller: Caller = { token: await gateway.userToken(`mail-${index}`), ip: freshIp() }
      registrations.push({ caller, ...(await waitingRegistration(gateway, caller, freshPhone(), spelling)) })
    }
    for (const registration of registrations.slice(0, 3)) {
      const sent = await requestOtp(gateway, registration.caller, registration.id, 'email')
      expect(sent.status, sent.text).toBe(201)
    }
    const last = registrations[3] as (typeof registrations)[number]
    const refused = await requestOtp(gateway, last.caller, last.id, 'email')
    const retryAfter = expectRefusal(refused, 'otp_sends_per_email_per_hour')
    expect(refused.json.detail).toContain('3 OTP emails per address per hour')
    expect(Math.abs(retryAfter - slidingRetryAfter(gateway, HOUR_MS, 3, 3))).toBeLessThanOrEqual(2)
    expect(refused.text.toLowerCase()).not.toContain('bombed')
    expect(gateway.logs.text().toLowerCase()).not.toContain('bombed@')
    // Nothing reached Privy for it; an SMS to that person's phone is not an email and still goes.
    const mails = async () =>
      (await gateway.sim('GET', '/__sim/messages')).json.messages.filter(
        (message: { channel: string; to: string }) =>
          message.channel === 'email' && message.to.toLowerCase().startsWith('bombed'),
      ).length
    expect(await mails()).toBe(3)
    const bySms = await requestOtp(gateway, last.caller, last.id, 'sms')
    expect(bySms.status, bySms.text).toBe(201)
  })

  it('per day: the fifth email of the day to one address is refused, after the hour has room again', async () => {
    const address = 'daily@example.co.id'
    const asks = []
    for (let index = 0; index < 5; index++) {
      const caller: Caller = { token: await gateway.userToken(`daily-${index}`), ip: freshIp() }
      asks.push({ caller, ...(await waitingRegistration(gateway, caller, freshPhone(), address)) })
    }
    for (const ask of asks.slice(0, 3)) {
      expect((await requestOtp(gateway, ask.caller, ask.id, 'email')).status).toBe(201)
    }
    const hourly = await requestOtp(gateway, asks[3]?.caller ?? {}, asks[3]?.id ?? '', 'email')
    gateway.clock.advance(expectRefusal(hourly, 'otp_sends_per_email_per_hour') * 1000)
    expect((await requestOtp(gateway, asks[3]?.caller ?? {}, asks[3]?.id ?? '', 'email')).status).toBe(201)
    const daily = await requestOtp(gateway, asks[4]?.caller ?? {}, asks[4]?.id ?? '', 'email')
    expectRefusal(daily, 'otp_sends_per_email_per_day')
  })
})
