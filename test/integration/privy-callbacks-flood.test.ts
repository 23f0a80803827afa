import { beforeAll, describe, expect, it } from 'vitest'
import { DEV_PII_KEYS } from '../../src/config/config.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { clientAddressKey } from '../../src/modules/limits/client-address.js'
import { createLimitsRepository } from '../../src/modules/limits/limits.repository.js'
import { createLimitsService } from '../../src/modules/limits/limits.service.js'
import { REJECTED_CALLBACK_COUNTERS } from '../../src/modules/privy-callbacks/callback.refusals.js'
import { registerLanding } from '../helpers/api.js'
import { callbackStoreBytes, inParallel, postCallbackBytes, signedHeaders } from '../helpers/callbacks.js'
import { useGateway } from '../helpers/gateway.js'

/**
 * Unsigned callbacks cost their sender nothing: what the gateway keeps of them is bounded per client
 * address and in all, per clock hour, and for a few days. Over real HTTP on a real database, with the
 * client addresses given by X-Forwarded-For through a trusted proxy (TRUST_PROXY=loopback).
 */

const PER_ADDRESS = 100 // the default
const IN_ALL = 300
const FLOOD = 3_000
const attacker = '198.51.100.7'

const now = () => new Date(Date.now() + gateway.clock.offset())

const gateway = useGateway({
  TRUST_PROXY: 'loopback',
  CALLBACK_REJECTED_PER_HOUR: String(IN_ALL),
  HOUSEKEEPING_INTERVAL_MS: '300',
})
beforeAll(async () => {
  // Counts are per clock hour: start a minute into the next one, so the flood stays in one window.
  const hourMs = 3_600_000
  gateway.clock.advance(hourMs - (Date.now() % hourMs) + 60_000)
}, 60_000)

const unsigned = (index: number, from: string) =>
  postCallbackBytes(
    gateway.url,
    JSON.stringify({
      event: 'register',
      data: { reference_number: `REG-FLOOD-${index}`, status: 'verified', privy_id: `PRIVYFLOOD${index}` },
    }),
    { timestamp: now().toISOString() },
    from,
  )

const rejectedRows = () => gateway.database.prisma.privyCallback.count({ where: { state: 'rejected' } })

function logged(message: string) {
  return gateway.logs.lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === message)
}

describe('refused callbacks are kept within limits, and counted past them', () => {
  it(`${FLOOD} unsigned callbacks from one address: ${PER_ADDRESS} kept, the rest 401 and counted`, async () => {
    const before = await callbackStoreBytes(gateway.database.prisma)
    const answers = await inParallel(
      8,
      Array.from({ length: FLOOD }, (_, index) => () => unsigned(index, attacker)),
    )
    expect(
      answers.filter((answer) => answer.status === 401 && answer.json.code === 'UNAUTHENTICATED'),
    ).toHaveLength(FLOOD)
    expect(await rejectedRows()).toBe(PER_ADDRESS)
    const after = await callbackStoreBytes(gateway.database.prisma)
    // 100 rows without bodies (under 1 KB each with their indexes, pages allocated 8 KB at a time) and
    // two counter rows, each updated in place 3,000 times (PostgreSQL keeps the old versions until
    // autovacuum reclaims them). Index pages split differently as concurrent inserts interleave (272 KiB
    // seen at load 28), so the bound leaves twice that room: storing the flood would take megabytes.
    expect(after.callbacks - before.callbacks).toBeLessThan(PER_ADDRESS * 4096)
    expect(after.counters - before.counters).toBeLessThan(1024 * 1024)

    // Every one of them is counted, by the counter every instance shares.
    const limits = createLimitsService({
      repository: createLimitsRepository(gateway.database.prisma),
      pii: createPiiCipher({
        active: piiKeyFromBase64(DEV_PII_KEYS.encryptionKey),
        lookupKey: Buffer.from(DEV_PII_KEYS.lookupKey, 'base64'),
      }),
      now,
    })
    expect(
      await limits.count({
        rule: REJECTED_CALLBACK_COUNTERS.perAddress,
        subject: clientAddressKey(attacker),
      }),
    ).toBe(FLOOD)
    // The log says so at marks, not once a refusal: 1st, 10th, 100th, 1,000th, 2,000th unstored.
    const marks = logged('privy callbacks rejected past the storage limit: counted, not stored')
    expect(marks.map((line) => line.not_stored_this_hour).sort((a, b) => Number(a) - Number(b))).toEqual([
      1, 10, 100, 1000, 2000,
    ])
    expect(new Set(marks.map((line) => line.limit))).toEqual(
      new Set(['privy_callbacks_rejected_per_address_per_hour']),
    )
    expect(logged('privy callback rejected')).toHaveLength(PER_ADDRESS)
    expect(gateway.logs.text()).not.toContain(attacker)

    // Another address is not held back by the first one's flood.
    const other = await inParallel(
      4,
      [1, 2, 3, 4, 5].map((index) => () => unsigned(FLOOD + index, '198.51.100.8')),
    )
    expect(other.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401])
    expect(await rejectedRows()).toBe(PER_ADDRESS + 5)

    // Nor is Privy, if it shares the flooding address: the limit is on keeping refusals.
    const token = await gateway.userToken('user-callbacks-flood')
    const created = await registerLanding(gateway, { token })
    const body = {
      event: 'register',
      data: { reference_number: created.reference_number, status: 'verified', privy_id: 'PRIVYFLOOD' },
    }
    const genuine = await postCallbackBytes(
      gateway.url,
      JSON.stringify(body),
      signedHeaders(body, now()),
      attacker,
    )
    expect(genuine.json).toEqual({ received: true, applied: true, duplicate: false })
  }, 300_000)

  it(`from however many addresses, at most ${IN_ALL} refusals an hour are kept in all`, async () => {
    const stored = await rejectedRows()
    // 60 addresses, 5 each: every one within its own limit, together over the total.
    const answers = await inParallel(
      8,
      Array.from({ length: 300 }, (_, index) => () => unsigned(10_000 + index, `203.0.113.${index % 60}`)),
    )
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 401))
    expect(await rejectedRows()).toBe(IN_ALL)
    expect(stored).toBeLessThan(IN_ALL)
    const marks = logged('privy callbacks rejected past the storage limit: counted, not stored').filter(
      (line) => line.limit === 'privy_callbacks_rejected_per_hour',
    )
    expect(marks.map((line) => line.not_stored_this_hour).sort((a, b) => Number(a) - Number(b))).toEqual([
      1, 10, 100,
    ])
  }, 120_000)

  it('refused callbacks are deleted after CALLBACK_REJECTED_RETENTION_HOURS; genuine ones stay', async () => {
    const genuine = await gateway.database.prisma.privyCallback.count({ where: { signatureValid: true } })
    expect(genuine).toBe(1)
    expect(await rejectedRows()).toBe(IN_ALL)
    gateway.clock.advance(73 * 3_600_000)
    let left = await rejectedRows()
    for (let attempt = 0; attempt < 100 && left > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      left = await rejectedRows()
    }
    expect(left).toBe(0)
    const kept = await gateway.database.prisma.privyCallback.findMany({ where: { signatureValid: true } })
    // Its body stays until PII_RETENTION_DAYS (30).
    expect(kept.map((row) => [row.state, row.sizeBytes > 0])).toEqual([['applied', true]])
  }, 60_000)
})
