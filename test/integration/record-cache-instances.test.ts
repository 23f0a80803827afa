import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/db/database.js'
import { getRegistration } from '../helpers/api.js'
import { postSignedCallback } from '../helpers/callbacks.js'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * The status reads' record cache (src/lib/record-cache.ts) with two gateway instances on one
 * database, each with its own cache (on PostgreSQL each with its own pool, as two processes): a write
 * through one is seen by a plain read through the other, without waiting for the cache's maximum age
 * (60 s here), because every committed change is announced by the database and evicts the row.
 */

let first: TestGateway
let second: TestGateway
let secondDatabase: Database | undefined
let token: string

const MAX_AGE_MS = 3_000

beforeAll(async () => {
  first = await startTestGateway({ RECORD_CACHE_MAX_AGE_MS: '60000' })
  if (first.database.kind === 'postgres' && process.env.DATABASE_URL) {
    const [{ schema } = { schema: '' }] = await first.database.prisma.$queryRaw<
      Array<{ schema: string }>
    >`SELECT current_schema() AS schema`
    secondDatabase = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, poolSize: 5 })
  }
  second = await startTestGateway(
    { RECORD_CACHE_MAX_AGE_MS: String(MAX_AGE_MS) },
    { database: secondDatabase ?? first.database, simulator: first.simulator },
  )
  token = await first.userToken('record-cache')
})
afterAll(async () => {
  await second?.close()
  await secondDatabase?.close()
  await first?.close()
})

let serial = 0
async function landingRegistration(): Promise<{ id: string; reference_number: string }> {
  serial += 1
  const client = await clientFor(first, { token })
  return client.registrations.create({
    registration_type: 'landing_page',
    name: 'Rina Wijaya',
    email: `rina.cache${serial}@example.co.id`,
    phone: `62813100${String(serial).padStart(5, '0')}`,
  })
}

async function callback(gateway: TestGateway, body: Record<string, unknown>) {
  const answer = await postSignedCallback(gateway.url, body)
  expect(answer.status, answer.text).toBe(200)
}

const statusVia = (gateway: TestGateway, id: string, query: { refresh?: boolean } = {}) =>
  getRegistration(gateway, { token }, id, query)

describe('the record cache with two instances on one database', () => {
  it('a callback applied through one instance is seen by a plain read through the other', async () => {
    const registration = await landingRegistration()
    // Both instances read (and so keep) the row as it is now.
    expect((await statusVia(first, registration.id)).status).toBe('pending')
    expect((await statusVia(second, registration.id)).status).toBe('pending')
    expect((await statusVia(second, registration.id)).status).toBe('pending')

    await callback(first, {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', privy_id: 'PRIVYCACHE1' },
    })
    // The instance that wrote evicted before answering the callback: no wait at all.
    expect(await statusVia(first, registration.id)).toMatchObject({
      status: 'verified',
      privy_id: 'PRIVYCACHE1',
    })
    // The other hears the database's announcement, well within the 60 s the first may keep a row.
    const seen = await eventually(
      () => statusVia(second, registration.id),
      (view) => view.status === 'verified',
      { timeoutMs: 10_000 },
    )
    expect(seen.privy_id).toBe('PRIVYCACHE1')
  })

  it('a refresh=true read asks Privy even when the kept row says nothing changed', async () => {
    const registration = await landingRegistration()
    expect((await statusVia(second, registration.id)).status).toBe('pending')
    // Privy moves on; no callback reaches the gateway.
    const finished = await first.sim(
      'POST',
      `/__sim/registrations/${registration.reference_number}/finish-landing`,
      {},
    )
    expect(finished.status, finished.text).toBe(200)
    expect((await statusVia(second, registration.id)).status).toBe('pending')
    expect((await statusVia(second, registration.id, { refresh: true })).status).toBe('waiting_verification')
    // Written by the second instance: the first, which kept the row too, sees it.
    await eventually(
      () => statusVia(first, registration.id),
      (view) => view.status === 'waiting_verification',
      { timeoutMs: 10_000 },
    )
    const events = await first.database.prisma.webhookEvent.findMany({
      where: { resourceId: registration.id, type: 'registration.updated' },
    })
    const statuses = events.map((event) => (event.payload as { data: { status: string } }).data.status)
    expect(statuses.filter((status) => status === 'waiting_verification')).toHaveLength(1)
  })

  it('a row changed without an announcement is served from memory at most its maximum age', async () => {
    const registration = await landingRegistration()
    const readAt = Date.now()
    expect((await statusVia(second, registration.id)).privy_id).toBeNull()
    // Behind the gateways' backs: with triggers off for this transaction, nothing is announced.
    await first.database.prisma.$transaction([
      first.database.prisma.$executeRawUnsafe('SET LOCAL session_replication_role = replica'),
      first.database.prisma
        .$executeRaw`UPDATE registrations SET privy_id = 'PRIVYSILENT' WHERE id = ${registration.id}::uuid`,
    ])
    const changedAt = Date.now()
    // Still the kept row: this is what the cache saves, and the staleness it allows (unless a loaded
    // machine took longer than the maximum age to get here).
    const kept = await statusVia(second, registration.id)
    if (Date.now() - readAt < MAX_AGE_MS) expect(kept.privy_id).toBeNull()
    const seen = await eventually(
      () => statusVia(second, registration.id),
      (view) => view.privy_id === 'PRIVYSILENT',
      { timeoutMs: 10_000, intervalMs: 100 },
    )
    expect(seen.privy_id).toBe('PRIVYSILENT')
    expect(Date.now() - changedAt).toBeLessThan(MAX_AGE_MS + 3_000)
  })
})
