import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { AppError } from '../../src/errors/app-error.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { clientAddressKey } from '../../src/modules/limits/client-address.js'
import { createLimitsRepository } from '../../src/modules/limits/limits.repository.js'
import { type Charge, createLimitsService, type LimitRule } from '../../src/modules/limits/limits.service.js'
import { createOtpLimits } from '../../src/modules/limits/otp-limits.js'
import { emailLookupOf, normalisedEmail } from '../../src/modules/limits/recipient.js'
import { openTestDatabase } from '../helpers/database.js'

// The counters on a real database (PostgreSQL when DATABASE_URL is set, else PGlite).

let database: Database
let at = new Date('2026-11-26T10:15:00.000Z')
const now = () => at
const pii = createPiiCipher({
  active: piiKeyFromBase64(Buffer.alloc(32, 1).toString('base64')),
  lookupKey: Buffer.alloc(32, 2),
})

beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.close()
})

const service = () => createLimitsService({ repository: createLimitsRepository(database.prisma), pii, now })
let serial = 0
const rule = (max: number, windowSeconds = 3600, window: LimitRule['window'] = 'fixed'): LimitRule => ({
  name: `test_rule_${++serial}`,
  max,
  windowSeconds,
  window,
  code: 'OTP_RATE_LIMITED',
  description: `${max} tests per hour`,
})
const minutes = (count: number) => count * 60_000

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('sliding windows', () => {
  it('a burst across the end of a window gets no more than the limit', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(3, 3600, 'sliding'), subject: 'sliding-burst' }
    const start = at
    try {
      at = new Date(Date.parse('2026-11-26T10:50:00.000Z'))
      for (let hit = 0; hit < 3; hit++) await limits.take([charge])
      // 11:00: a new window, but the last hour still holds 3 sends.
      at = new Date(Date.parse('2026-11-26T11:00:00.000Z'))
      const refused = await refusal(limits.take([charge]))
      // 10:50's three weigh 3 × (60 − t)/60; one more fits once that is ≤ 2: at 11:20.
      expect(refused.options.retryAfterSeconds).toBe(20 * 60)
      at = new Date(at.getTime() + minutes(20))
      await limits.take([charge])
      await refusal(limits.take([charge]))
    } finally {
      at = start
    }
  })

  it('refused with the window full, Retry-After reaches into the next window', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(3, 3600, 'sliding'), subject: 'sliding-full' }
    for (let hit = 0; hit < 3; hit++) await limits.take([charge])
    const refused = await refusal(limits.take([charge]))
    // At 10:15 with 3 this hour: the next is allowed once 3 × (60 − t)/60 + 1 ≤ 3, at 11:20.
    expect(refused.options.retryAfterSeconds).toBe(65 * 60)
  })
})

describe('fixed windows', () => {
  it('allows max hits per window, refuses the next with 429, the limit named and Retry-After to the window end', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(3), subject: 'user:alice' }
    for (let hit = 1; hit <= 3; hit++) expect((await limits.take([charge])).counts).toEqual([hit])
    const refused = await refusal(limits.take([charge]))
    expect(refused.code).toBe('OTP_RATE_LIMITED')
    expect(refused.status).toBe(429)
    // 10:15 → the hour ends at 11:00: 45 minutes.
    expect(refused.options.retryAfterSeconds).toBe(45 * 60)
    expect(refused.options.extensions).toEqual({ limit: charge.rule.name })
    expect(refused.message).toContain('3 tests per hour')
    // A refused hit is not counted.
    expect(await limits.count(charge)).toBe(3)
  })

  it('starts again in the next window', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(1), subject: 'user:bob' }
    await limits.take([charge])
    await refusal(limits.take([charge]))
    at = new Date(at.getTime() + 3600_000)
    try {
      expect((await limits.take([charge])).counts).toEqual([1])
    } finally {
      at = new Date(at.getTime() - 3600_000)
    }
  })

  it('counts all charges or none: one limit reached gives every other hit back', async () => {
    const limits = service()
    const tight: Charge = { rule: rule(1), subject: 'phone' }
    const loose: Charge = { rule: rule(100), subject: 'merchant' }
    await limits.take([loose, tight])
    for (let attempt = 0; attempt < 5; attempt++) await refusal(limits.take([loose, tight]))
    expect(await limits.count(loose)).toBe(1)
    expect(await limits.count(tight)).toBe(1)
  })

  it('names the limit that frees last when several are reached', async () => {
    const limits = service()
    const hourly: Charge = { rule: rule(1, 3600), subject: 's' }
    const daily: Charge = { rule: { ...rule(1, 86_400), code: 'OTP_BUDGET_EXHAUSTED' }, subject: 's' }
    await limits.take([hourly, daily])
    const refused = await refusal(limits.take([hourly, daily]))
    expect(refused.code).toBe('OTP_BUDGET_EXHAUSTED')
    // 10:15 UTC → 00:00 UTC: 13 h 45 min.
    expect(refused.options.retryAfterSeconds).toBe(13 * 3600 + 45 * 60)
  })

  it('release() gives a counted hit back', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(1), subject: 'x' }
    const taken = await limits.take([charge])
    await taken.release()
    await taken.release()
    expect(await limits.count(charge)).toBe(0)
    expect((await limits.take([charge])).counts).toEqual([1])
  })

  it('an anchored window is counted from its anchor, not from the epoch', async () => {
    const limits = service()
    const anchor = new Date(at.getTime() - 10 * 60_000)
    const charge: Charge = { rule: rule(1, 3600), subject: 'otp-1', anchor }
    await limits.take([charge])
    const refused = await refusal(limits.take([charge]))
    expect(refused.options.retryAfterSeconds).toBe(50 * 60)
  })

  it('a burst of 50 concurrent hits on max 10 lets exactly 10 through, on two pools at once', async () => {
    const other = createLimitsService({ repository: createLimitsRepository(database.prisma), pii, now })
    const limits = service()
    const charge: Charge = { rule: rule(10), subject: 'burst' }
    const merchant: Charge = { rule: rule(1000), subject: 'merchant-burst' }
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, index) => (index % 2 ? limits : other).take([merchant, charge])),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10)
    expect(await limits.count(charge)).toBe(10)
    // The refused ones gave their merchant hit back too.
    expect(await limits.count(merchant)).toBe(10)
  })

  it('stores no subject in clear: buckets carry a keyed HMAC', async () => {
    const limits = service()
    await limits.take([{ rule: rule(5), subject: '6281234567890' }])
    const rows = await database.prisma.rateLimitCounter.findMany()
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row.bucket).toMatch(/^[a-z_0-9]+:[0-9a-f]{64}$/)
      expect(row.bucket).not.toContain('6281234567890')
    }
  })

  it('purges only windows that have ended', async () => {
    const limits = service()
    const ended: Charge = { rule: rule(5, 60), subject: 'old' }
    const current: Charge = { rule: rule(5, 86_400), subject: 'current' }
    await limits.take([ended, current])
    at = new Date(at.getTime() + 5 * 60_000)
    try {
      expect(await limits.purgeExpired()).toBeGreaterThanOrEqual(1)
      at = new Date(at.getTime() - 5 * 60_000)
      expect(await limits.count(ended)).toBe(0)
      expect(await limits.count(current)).toBe(1)
    } finally {
      at = new Date('2026-11-26T10:15:00.000Z')
    }
  })
})

describe('OTP limits', () => {
  const settings = {
    sendsPerUserPerHour: 5,
    sendsPerPhonePerHour: 3,
    sendsPerPhonePerDay: 10,
    sendsPerPhoneBlockPerHour: 20,
    sendsPerIpPerHour: 20,
    sendsPerEmailPerHour: 3,
    sendsPerEmailPerDay: 10,
    sendsPerMerchantPerDay: 4,
  }
  const recipient = {
    phoneLookup: pii.lookupHash('phone', '6281200000001'),
    phonePrefixLookup: pii.lookupHash('phone-block', '628120000'),
    emailLookup: emailLookupOf(pii, 'siti@example.co.id'),
  }

  it('an operator is counted by phone (or email), block, address and budget; a user by user too', async () => {
    const warnings: string[] = []
    const otp = createOtpLimits(service(), settings, {
      warn: (_: unknown, message?: string) => void warnings.push(message ?? ''),
    } as never)
    const user = await otp.takeSend({
      principal: { kind: 'user', userId: 'u1' },
      ip: '203.0.113.9',
      channel: 'sms',
      recipient,
    })
    expect(user.counts).toHaveLength(6)
    // An email rings no phone: counted by its address (hour and day) instead of the phone and block.
    const email = await otp.takeSend({
      principal: { kind: 'user', userId: 'u1' },
      ip: '203.0.113.9',
      channel: 'email',
      recipient,
    })
    expect(email.counts).toHaveLength(5)
    expect(
      await otp
        .takeSend({
          principal: { kind: 'user', userId: 'u1' },
          ip: '203.0.113.9',
          channel: 'email',
          recipient: null,
        })
        .then((taken) => taken.counts),
    ).toHaveLength(3)
    const operator = await otp.takeSend({
      principal: { kind: 'operator', operatorId: 'ops' },
      ip: '203.0.113.9',
      channel: 'sms',
      recipient,
    })
    expect(operator.counts).toHaveLength(5)
    // The second send reached half of the budget (2 of 4), the fourth 80 %: one warning each.
    expect(warnings).toEqual(["50% of today's OTP budget is spent", "80% of today's OTP budget is spent"])
  })
})

describe('a take inside the transaction of the work it guards', () => {
  it('is refused with nothing left to give back: the rollback takes the hit away', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(1), subject: 'in-transaction' }
    await limits.take([charge])
    const refused = await database.prisma
      .$transaction(async (tx) => {
        await limits.take([charge], tx)
        return 'committed'
      })
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AppError)
    expect(await limits.count(charge)).toBe(1)
  })

  it('is kept when the work commits, and its release runs outside that transaction later', async () => {
    const limits = service()
    const charge: Charge = { rule: rule(3), subject: 'committed-work' }
    const taken = await database.prisma.$transaction((tx) => limits.take([charge], tx))
    expect(await limits.count(charge)).toBe(1)
    await taken.release()
    expect(await limits.count(charge)).toBe(0)
  })
})

describe('normalisedEmail: one inbox, one count', () => {
  it.each([
    ['Siti@Example.CO.ID', 'siti@example.co.id'],
    [' siti+otp1@example.co.id ', 'siti@example.co.id'],
    ['s.i.t.i+x@GoogleMail.com', 'siti@gmail.com'],
    ['s.iti@example.co.id', 's.iti@example.co.id'],
    ['+tag@example.co.id', '+tag@example.co.id'],
    ['siti@example.co.id.', 'siti@example.co.id'],
  ])('%j counts as %j', (address, inbox) => {
    expect(normalisedEmail(address)).toBe(inbox)
  })

  it('is kept only as a keyed HMAC', () => {
    const lookup = emailLookupOf(pii, 'Siti+1@example.co.id')
    expect(lookup).toBe(emailLookupOf(pii, 'siti@example.co.id'))
    expect(lookup).toMatch(/^[0-9a-f]{64}$/)
    expect(lookup).not.toBe(emailLookupOf(pii, 'dewi@example.co.id'))
  })
})

describe('clientAddressKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::ffff:cb00:7109', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key)
  })
})
