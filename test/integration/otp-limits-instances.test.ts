import { beforeAll, describe, expect, it } from 'vitest'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import {
  type Caller,
  DAY_MS,
  expectRefusal,
  freshPhone,
  HOUR_MS,
  requestOtp,
  secondsToWindowEnd,
  startOfNextDay,
  upstream,
  waitingRegistration,
} from '../helpers/otp-limits.js'

// Two gateway instances on one database and one Privy: the counters are the database's, not an
// instance's, so neither limits nor the merchant's budget multiply with the number of instances.

const BUDGET = 6
const ENV = { TRUST_PROXY: 'loopback', OTP_SENDS_PER_USER_PER_HOUR: '2', OTP_DAILY_BUDGET: String(BUDGET) }
const first = useGateway(ENV)
const second = useGateway(ENV, () => ({ database: first.database, simulator: first.simulator }))
beforeAll(() => {
  startOfNextDay(first)
  startOfNextDay(second)
})

describe('limits shared by instances', () => {
  it('a user limit of 2 holds across two instances', async () => {
    const caller: Caller = { token: await first.userToken('two-instances'), ip: '198.51.100.20' }
    const registrations = []
    for (let index = 0; index < 3; index++) {
      registrations.push(await waitingRegistration(first, caller, freshPhone()))
    }
    expect((await requestOtp(first, caller, registrations[0]?.id ?? '')).status).toBe(201)
    expect((await requestOtp(second, caller, registrations[1]?.id ?? '')).status).toBe(201)
    const before = await upstream(first)
    expectRefusal(await requestOtp(first, caller, registrations[2]?.id ?? ''), 'otp_sends_per_user_per_hour')
    expectRefusal(await requestOtp(second, caller, registrations[2]?.id ?? ''), 'otp_sends_per_user_per_hour')
    expect(await upstream(first)).toEqual(before)
  })

  it('the merchant budget holds across users, addresses, operators and instances, even in a burst', async () => {
    // Two sends are spent already (the test above); four are left of the day's six.
    const callers: Caller[] = []
    for (let index = 0; index < 8; index++) {
      callers.push({ token: await first.userToken(`budget-${index}`), ip: `203.0.113.${100 + index}` })
    }
    const registrations = await Promise.all(
      callers.map((caller) => waitingRegistration(first, caller, freshPhone())),
    )
    const before = await upstream(first)
    const answers = await Promise.all(
      callers.map((caller, index) =>
        requestOtp(index % 2 ? second : first, caller, registrations[index]?.id ?? ''),
      ),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(BUDGET - 2)
    for (const answer of answers.filter((answer) => answer.status !== 201)) {
      const retryAfter = expectRefusal(answer, 'otp_sends_per_merchant_per_day')
      expect(Math.abs(retryAfter - secondsToWindowEnd(first, DAY_MS))).toBeLessThanOrEqual(2)
      expect(answer.json.detail).toContain(`${BUDGET} OTP sends per day for this merchant`)
    }
    expect((await upstream(first)).count - before.count).toBe(BUDGET - 2)

    // An operator draws on the same budget.
    const operator: Caller = { apiKey: TEST_API_KEY, ip: '203.0.113.200' }
    const forOperator = await waitingRegistration(second, operator, freshPhone())
    expectRefusal(await requestOtp(second, operator, forOperator.id), 'otp_sends_per_merchant_per_day')

    // An hour later the day's budget is still spent; the next day it is whole again.
    first.clock.advance(HOUR_MS)
    second.clock.advance(HOUR_MS)
    expectRefusal(await requestOtp(first, operator, forOperator.id), 'otp_sends_per_merchant_per_day')
    first.clock.advance(DAY_MS)
    second.clock.advance(DAY_MS)
    const nextDay = await requestOtp(second, operator, forOperator.id)
    expect(nextDay.status, nextDay.text).toBe(201)
  })

  it('half and 80 % of the budget are logged once, by whichever instance crossed the mark', async () => {
    const lines = [...first.logs.lines, ...second.logs.lines].filter((line) =>
      line.includes("of today's OTP budget is spent"),
    )
    // The first day: 3 of 6 (50 %) and 5 of 6 (80 %); the next day 1 of 6 crossed nothing yet.
    expect(lines.filter((line) => line.includes('50%'))).toHaveLength(1)
    expect(lines.filter((line) => line.includes('80%'))).toHaveLength(1)
  })
})
