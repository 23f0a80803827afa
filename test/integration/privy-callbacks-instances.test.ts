import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_PII_KEYS } from '../../src/config/config.js'
import { type Database, openDatabase } from '../../src/db/database.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { createCallbackRepository } from '../../src/modules/privy-callbacks/callback.repository.js'
import { callbackBodyContext } from '../../src/modules/privy-callbacks/callback.service.js'
import { getRegistration, registerLanding } from '../helpers/api.js'
import { postSignedCallback } from '../helpers/callbacks.js'
import { eventually } from '../helpers/eventually.js'
import { type TestGateway, useGateway } from '../helpers/gateway.js'

/**
 * Two gateway instances on one database (on PostgreSQL each with its own connection pool, as two
 * processes would have), both receiving the same callbacks at once and both running the consumer
 * sweep as often as they can. Every callback must be stored once and applied exactly once: counted
 * by the rows, by the "processed" log lines of both instances, and by the outbox events of the
 * registrations they moved.
 */

let secondDatabase: Database | undefined
let token: string

const fast = { CALLBACK_APPLY_INTERVAL_MS: '5' }

// Registered first, so it runs last: after the second instance, its only user, closed.
afterAll(async () => {
  await secondDatabase?.close()
})
const first = useGateway(fast)
beforeAll(async () => {
  if (first.database.kind === 'postgres' && process.env.DATABASE_URL) {
    const [{ schema } = { schema: '' }] = await first.database.prisma.$queryRaw<
      Array<{ schema: string }>
    >`SELECT current_schema() AS schema`
    secondDatabase = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, poolSize: 5 })
  }
  token = await first.userToken('callbacks-instances')
})
const second = useGateway(fast, () => ({
  database: secondDatabase ?? first.database,
  simulator: first.simulator,
}))

async function landingRegistrations(count: number) {
  const created = []
  for (let index = 0; index < count; index += 1) created.push(await registerLanding(first, { token }))
  return created
}

const post = (gateway: TestGateway, body: Record<string, unknown>) => postSignedCallback(gateway.url, body)

/** How often each callback id was processed (applied, ignored or failed), by both instances together. */
function processedCounts(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of [...first.logs.lines, ...second.logs.lines]) {
    const entry = JSON.parse(line) as { msg?: string; callback_id?: string; kept?: boolean }
    if (entry.msg === 'privy callback processed' && entry.callback_id && entry.kept) {
      counts.set(entry.callback_id, (counts.get(entry.callback_id) ?? 0) + 1)
    }
  }
  return counts
}

/** Outbox events that say the registration became `status`: one per real change. */
async function updatesTo(registrationId: string, status: string): Promise<number> {
  const events = await first.database.prisma.webhookEvent.findMany({
    where: { resourceId: registrationId, type: 'registration.updated' },
  })
  return events.filter((event) => (event.payload as { data: { status: string } }).data.status === status)
    .length
}

const rowsOf = (references: string[]) =>
  first.database.prisma.privyCallback.findMany({ where: { referenceNumber: { in: references } } })

describe('two gateway instances on one database', () => {
  it('the same signed callbacks sent to both at once are stored once and applied once', async () => {
    const registrations = await landingRegistrations(8)
    const bodies = registrations.map((registration, index) => ({
      event: 'register',
      data: {
        reference_number: registration.reference_number,
        status: 'verified',
        privy_id: `PRIVYMULTI${index}`,
      },
    }))
    // Six copies of every callback to each instance, all in flight together.
    const deliveries = bodies.flatMap((body) =>
      Array.from({ length: 12 }, (_, copy) => ({ body, gateway: copy % 2 === 0 ? first : second })),
    )
    const answers = await Promise.all(deliveries.map(({ body, gateway }) => post(gateway, body)))
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    for (const body of bodies) {
      const mine = answers.filter((_, index) => deliveries[index]?.body === body)
      expect(mine.filter((answer) => !answer.json.duplicate).map((answer) => answer.json)).toEqual([
        { received: true, applied: true, duplicate: false },
      ])
    }

    const references = registrations.map((registration) => registration.reference_number)
    const rows = await rowsOf(references)
    expect(rows).toHaveLength(registrations.length)
    expect(rows.map((row) => [row.state, row.attempts, row.signatureValid])).toEqual(
      rows.map(() => ['applied', 1, true]),
    )
    const processed = processedCounts()
    expect(rows.map((row) => processed.get(row.id))).toEqual(rows.map(() => 1))
    for (const [index, registration] of registrations.entries()) {
      expect(await updatesTo(registration.id, 'verified')).toBe(1)
      const shown = await getRegistration(second, { token }, registration.id)
      expect(shown).toMatchObject({ status: 'verified', privy_id: `PRIVYMULTI${index}` })
    }
  })

  it("the simulator's own deliveries and replays, to either instance, are applied once", async () => {
    const registrations = await landingRegistrations(5)
    const references = registrations.map((registration) => registration.reference_number)
    const delivered = async (count: number) =>
      eventually(
        async () => {
          const all = await Promise.all(
            references.map(
              async (reference) =>
                (await first.sim('GET', `/__sim/callbacks?reference_number=${reference}`)).json
                  .callbacks as Array<{
                  http_status: number | null
                }>,
            ),
          )
          return all.map((attempts) => attempts.filter((attempt) => attempt.http_status === 200).length)
        },
        (counts) => counts.every((count_) => count_ >= count),
        { timeoutMs: 15_000 },
      )

    await first.enableCallbacks()
    for (const reference of references) {
      expect((await first.sim('POST', `/__sim/registrations/${reference}/finish-landing`, {})).status).toBe(
        200,
      )
    }
    expect(await delivered(1)).toEqual(references.map(() => 1))
    for (const reference of references) {
      const verified = await first.sim('POST', `/__sim/registrations/${reference}/verify`, {
        outcome: 'verified',
      })
      expect(verified.status, verified.text).toBe(200)
    }
    expect(await delivered(2)).toEqual(references.map(() => 2))
    // The same callbacks again, now to the other instance.
    await second.enableCallbacks()
    for (const reference of references) {
      expect(
        (await first.sim('POST', '/__sim/callbacks/replay', { reference_number: reference })).status,
      ).toBe(202)
    }
    expect(await delivered(3)).toEqual(references.map(() => 3))

    const rows = await rowsOf(references)
    const processed = processedCounts()
    expect(rows.every((row) => row.signatureValid && processed.get(row.id) === 1)).toBe(true)
    for (const registration of registrations) {
      const own = rows.filter((row) => row.referenceNumber === registration.reference_number)
      // finish-landing and verify moved it; the replay is the verify callback's bytes again.
      expect(own.filter((row) => row.state === 'applied')).toHaveLength(2)
      expect(own.every((row) => row.state === 'applied' || row.state === 'ignored')).toBe(true)
      expect(await updatesTo(registration.id, 'waiting_verification')).toBe(1)
      expect(await updatesTo(registration.id, 'verified')).toBe(1)
    }
    await first.sim('POST', '/__sim/settings', { callback_url: null })
  })

  it('a backlog left by a crashed instance is drained by both sweeps, each callback once', async () => {
    const registrations = await landingRegistrations(30)
    const pii = createPiiCipher({
      active: piiKeyFromBase64(DEV_PII_KEYS.encryptionKey),
      lookupKey: Buffer.from(DEV_PII_KEYS.lookupKey, 'base64'),
    })
    const repository = createCallbackRepository(first.database.prisma)
    const ids: string[] = []
    for (const registration of registrations) {
      const id = randomUUID()
      const raw = Buffer.from(
        JSON.stringify({
          event: 'register',
          data: { reference_number: registration.reference_number, status: 'waiting_verification' },
        }),
      )
      const sealed = pii.seal(raw, callbackBodyContext(id))
      // Stored and leased by an instance that died before applying them: the lease has run out.
      await repository.insertVerified(
        {
          id,
          canonicalSha256: randomUUID(),
          event: 'register',
          referenceNumber: registration.reference_number,
          bodyKeyId: sealed.keyId,
          bodyEncrypted: sealed.data,
          sizeBytes: raw.length,
        },
        -1000,
      )
      ids.push(id)
    }
    const settled = await eventually(
      () => first.database.prisma.privyCallback.findMany({ where: { id: { in: ids } } }),
      (rows) => rows.every((row) => row.state !== 'received'),
      { timeoutMs: 20_000 },
    )
    expect(settled.map((row) => [row.state, row.attempts])).toEqual(settled.map(() => ['applied', 2]))
    const processed = processedCounts()
    expect(ids.map((id) => processed.get(id))).toEqual(ids.map(() => 1))
    for (const registration of registrations) {
      expect(await updatesTo(registration.id, 'waiting_verification')).toBe(1)
    }
  })
})
