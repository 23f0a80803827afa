import { beforeAll, describe, expect, it } from 'vitest'
import { pumpOtps } from '../../bench/otp-pumping.js'
import { EnvSchema } from '../../src/config/env-schema.js'
import { startTestGateway, TEST_JWT_SECRET, type TestGateway, useGateway } from '../helpers/gateway.js'
import { HOUR_MS, startOfNextDay } from '../helpers/otp-limits.js'

// A short SMS-pumping run (bench/otp-pumping.ts runs 1,000 numbers): sequential phone numbers, each
// registered and sent an OTP, against the default limits. It must be stopped early.

const NUMBERS = 40
const defaults = EnvSchema.parse({})
const defaultLimits = {
  OTP_SENDS_PER_USER_PER_HOUR: String(defaults.OTP_SENDS_PER_USER_PER_HOUR),
  OTP_SENDS_PER_PHONE_PER_HOUR: String(defaults.OTP_SENDS_PER_PHONE_PER_HOUR),
  OTP_SENDS_PER_PHONE_PER_DAY: String(defaults.OTP_SENDS_PER_PHONE_PER_DAY),
  OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR: String(defaults.OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR),
  OTP_SENDS_PER_IP_PER_HOUR: String(defaults.OTP_SENDS_PER_IP_PER_HOUR),
  OTP_DAILY_BUDGET: String(defaults.OTP_DAILY_BUDGET),
}

const gateway = useGateway({ ...defaultLimits, TRUST_PROXY: 'loopback' })
beforeAll(async () => {
  startOfNextDay(gateway)
})

const pump = (
  attacker: Parameters<typeof pumpOtps>[0]['attacker'],
  target: TestGateway,
  firstPhone: bigint,
) =>
  pumpOtps({
    gatewayUrl: target.url,
    simulatorUrl: target.simulator.url,
    jwtSecret: TEST_JWT_SECRET,
    attacker,
    numbers: NUMBERS,
    firstPhone,
    concurrency: 4,
  })

describe('a pumping run over sequential numbers', () => {
  it('one user from one address: stopped by the per-user limit after 5 SMS', async () => {
    const result = await pump('one_user_one_ip', gateway, 628120000000n)
    expect(result.other_failures).toBe(0)
    expect(result.sms_at_privy).toBe(defaults.OTP_SENDS_PER_USER_PER_HOUR)
    expect(result.otp_requests_at_privy).toBe(result.sms_at_privy)
    expect(result.refused_429).toBe(NUMBERS - result.sms_at_privy)
    expect(result.refused_by_limit).toEqual({ otp_sends_per_user_per_hour: NUMBERS - result.sms_at_privy })
  })

  it('the per-address limit is off by default: carrier-grade NAT puts thousands of users behind one address', () => {
    expect(defaults.OTP_SENDS_PER_IP_PER_HOUR).toBe(0)
  })

  it('a new user token for every number, from one address: stopped by the per-block limit after 20 SMS', async () => {
    // Two hours on: the first attacker's sends weigh nothing in the sliding hour.
    gateway.clock.advance(2 * HOUR_MS)
    const result = await pump('many_users_one_ip', gateway, 628121000000n)
    expect(result.other_failures).toBe(0)
    expect(result.sms_at_privy).toBe(defaults.OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR)
    expect(result.sms_at_privy).toBeLessThanOrEqual(20)
    expect(result.otp_requests_at_privy).toBe(result.sms_at_privy)
    expect(result.refused_by_limit).toEqual({
      otp_sends_per_phone_block_per_hour: NUMBERS - result.sms_at_privy,
    })
  })

  it('a new user and a new address for every number: stopped by the per-block limit after 20 SMS', async () => {
    const distributed = await startTestGateway({ ...defaultLimits, TRUST_PROXY: 'loopback' })
    try {
      startOfNextDay(distributed)
      const result = await pump('many_users_many_ips', distributed, 628122000000n)
      expect(result.other_failures).toBe(0)
      expect(result.sms_at_privy).toBe(defaults.OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR)
      expect(result.sms_at_privy).toBeLessThanOrEqual(20)
      expect(result.refused_by_limit).toEqual({
        otp_sends_per_phone_block_per_hour: NUMBERS - result.sms_at_privy,
      })
    } finally {
      await distributed.close()
    }
  })
})
