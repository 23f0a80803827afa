import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/config.js'

describe('abuse-limit settings', () => {
  it('defaults to the limits in .env.example and trusts no proxy', () => {
    const config = loadConfig({})
    expect(config.abuse).toEqual({
      otpSendsPerUserPerHour: 5,
      otpSendsPerPhonePerHour: 3,
      otpSendsPerPhonePerDay: 10,
      otpSendsPerPhoneBlockPerHour: 20,
      // Off: carrier-grade NAT puts thousands of mobile users behind one address.
      otpSendsPerIpPerHour: 0,
      otpSendsPerEmailPerHour: 3,
      otpSendsPerEmailPerDay: 10,
      otpDailyBudget: 1000,
    })
    expect(config.server.trustProxy).toBe(false)
  })

  it.each([
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']],
    ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
  ])('TRUST_PROXY=%j is %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).server.trustProxy).toEqual(expected)
  })

  it.each(['yes', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1'])('refuses TRUST_PROXY=%j', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError)
  })

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => loadConfig({ OTP_SENDS_PER_PHONE_PER_HOUR: '0' })).toThrow(/OTP_SENDS_PER_PHONE_PER_HOUR/)
    expect(() => loadConfig({ OTP_DAILY_BUDGET: 'lots' })).toThrow(/OTP_DAILY_BUDGET/)
  })

  it('the per-address limit is 0 (off) or a positive whole number', () => {
    expect(loadConfig({ OTP_SENDS_PER_IP_PER_HOUR: '0' }).abuse.otpSendsPerIpPerHour).toBe(0)
    expect(loadConfig({ OTP_SENDS_PER_IP_PER_HOUR: '200' }).abuse.otpSendsPerIpPerHour).toBe(200)
    expect(() => loadConfig({ OTP_SENDS_PER_IP_PER_HOUR: '-1' })).toThrow(/OTP_SENDS_PER_IP_PER_HOUR/)
    expect(() => loadConfig({ OTP_SENDS_PER_IP_PER_HOUR: '2.5' })).toThrow(/OTP_SENDS_PER_IP_PER_HOUR/)
  })
})
