import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { allResealers, rotatePiiKeys } from '../../src/jobs/pii-rotation.js'
import { piiCipherOf } from '../../src/lib/pii-crypto.js'
import { openPrivyToken } from '../../src/lib/privy-tokens.js'
import { identityContext } from '../../src/modules/registration/registration.pii.js'
import { getRegistration, register as registerAs, upload } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { a4Pdf, signatureAt, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, useGateway } from '../helpers/gateway.js'
import { nikFor } from '../helpers/identity.js'
import { documentTokenOf, registerTokenOf } from '../helpers/privy-tokens.js'

const KEY_A = Buffer.alloc(32, 'key-a').toString('base64')
const KEY_B = Buffer.alloc(32, 'key-b').toString('base64')
const LOOKUP = Buffer.alloc(32, 'lookup').toString('base64')
const keysA = { encryptionKey: KEY_A, previousEncryptionKeys: [], lookupKey: LOOKUP }
const keysBA = { encryptionKey: KEY_B, previousEncryptionKeys: [KEY_A], lookupKey: LOOKUP }
const keysB = { encryptionKey: KEY_B, previousEncryptionKeys: [], lookupKey: LOOKUP }

let token: string
let people = 0

const gateway = useGateway({
  PII_ENCRYPTION_KEY: KEY_A,
  PII_LOOKUP_KEY: LOOKUP,
  HOUSEKEEPING_INTERVAL_MS: '100',
  PII_RETENTION_DAYS: '30',
})
beforeAll(async () => {
  token = await gateway.userToken('pii-user')
})

async function register(overrides: Record<string, unknown> = {}) {
  people += 1
  const dob = `19${60 + people}-0${1 + (people % 9)}-1${people % 10}`
  const nik = nikFor(dob)
  const created = await registerAs(
    gateway,
    { token },
    { email: `pii.${people}@example.co.id`, nik, dob, ...overrides },
  )
  return { id: created.id, nik, dob, reference: created.reference_number }
}

const rowOf = (id: string) => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })

describe('NIK and date of birth at rest', () => {
  it('are sealed with AES-256-GCM under a key id, bound to their row, and never stored in clear', async () => {
    const person = await register()
    const row = await rowOf(person.id)
    const cipher = piiCipherOf(keysA)
    expect(row.piiKeyId).toBe(cipher.activeKeyId)
    expect(row.nikSealed).not.toBeNull()
    expect(row.dobSealed).not.toBeNull()
    const dump = JSON.stringify(row, (_, value) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
    )
    expect(dump).not.toContain(person.nik)
    expect(dump).not.toContain(person.dob)
    // Only the key and the row's own context open them.
    const nik = cipher.open(
      { keyId: row.piiKeyId ?? '', data: Buffer.from(row.nikSealed ?? []) },
      identityContext(person.id, 'nik'),
    )
    expect(nik.toString()).toBe(person.nik)
    expect(() =>
      cipher.open(
        { keyId: row.piiKeyId ?? '', data: Buffer.from(row.nikSealed ?? []) },
        identityContext('00000000-0000-0000-0000-000000000000', 'nik'),
      ),
    ).toThrow()
    expect(() =>
      piiCipherOf(keysB).open(
        { keyId: row.piiKeyId ?? '', data: Buffer.from(row.nikSealed ?? []) },
        identityContext(person.id, 'nik'),
      ),
    ).toThrow(/no PII key/)
    // The lookup hash is keyed: equal for the person, not a plain hash of the NIK.
    expect(row.nikLookup).toMatch(/^[0-9a-f]{64}$/)
    const { createHash } = await import('node:crypto')
    expect(row.nikLookup).not.toBe(createHash('sha256').update(person.nik).digest('hex'))
  })

  it('operators find registrations by NIK (in the body), users cannot', async () => {
    const person = await register()
    const operator = await clientFor(gateway, 'operator')
    const lookup = (client: typeof operator, nik: string) =>
      client.raw.POST('/v1/registrations/lookup', { body: { nik } }).then(answered)
    const found = await lookup(operator, person.nik)
    expect(found.status, found.text).toBe(200)
    expect(found.data?.data.map((registration) => registration.id)).toEqual([person.id])
    expect(found.text).not.toContain(person.nik)
    const asUser = await lookup(await clientFor(gateway, { token }), person.nik)
    expect(asUser.status).toBe(404)
    const malformed = await lookup(operator, '12345')
    expect(malformed.status).toBe(400)
    expect(malformed.text).not.toContain('12345')
  })
})

describe("Privy's tokens at rest", () => {
  it('are sealed under a key id and bound to their row: no table holds a token in clear', async () => {
    await gateway.enableCallbacks()
    const signer = await verifiedUser(gateway, `token-signer-${people}`)
    const pending = await register()
    const uploaded = await upload(
      gateway,
      { token: signer.token },
      {
        title: 'Tokens at rest',
        signers: [{ registration_id: signer.registrationId, placements: [signatureAt(1, 50, 60)] }],
      },
      await a4Pdf(),
    )
    const cipher = piiCipherOf(keysA)

    // Every token Privy handed out, as Privy knows them.
    const state = gateway.simulator.state
    const registerTokens = [...state.registrations.values()].map((registration) => registration.registerToken)
    const documentTokens = [...state.documents.values()].map((document) => document.documentToken)
    const upstream = await gateway.sim('GET', `/__sim/registrations/${pending.reference}`)
    expect(registerTokens).toContain(upstream.json.register_token)

    // Kept sealed, under the active key, and only the row's own context opens them.
    const row = await rowOf(pending.id)
    expect(row.tokenKeyId).toBe(cipher.activeKeyId)
    expect(await registerTokenOf(gateway, pending.id)).toBe(upstream.json.register_token)
    expect(() =>
      openPrivyToken(cipher, 'register_token', signer.registrationId, {
        sealed: row.registerTokenSealed ?? new Uint8Array(),
        keyId: row.tokenKeyId ?? '',
      }),
    ).toThrow()
    const document = await gateway.database.prisma.document.findUniqueOrThrow({
      where: { id: uploaded.id },
    })
    expect(document.tokenKeyId).toBe(cipher.activeKeyId)
    expect(await documentTokenOf(gateway, document.id)).toBe(
      state.documentsByReference(document.referenceNumber)[0]?.documentToken,
    )

    // Every table, every column, as text (bytes as latin1): no token anywhere.
    const dump = await dumpAllTables()
    expect(dump.length).toBeGreaterThan(1000)
    for (const token of [...registerTokens, ...documentTokens]) expect(dump).not.toContain(token)
  })
})

/** Every row of every table of the gateway's schema, as one string (bytea as latin1). */
async function dumpAllTables(): Promise<string> {
  const prisma = gateway.database.prisma
  const tables = await prisma.$queryRaw<Array<{ name: string }>>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
  expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['registrations', 'documents']))
  const parts: string[] = []
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT * FROM "${name}"`)
    parts.push(
      JSON.stringify(rows, (_, value) =>
        value instanceof Uint8Array
          ? Buffer.from(value).toString('latin1')
          : typeof value === 'bigint'
            ? value.toString()
            : value,
      ),
    )
  }
  return parts.join('\n')
}

describe('key rotation', () => {
  it('re-seals everything under the new key while a gateway with both keys keeps serving', async () => {
    const people = [await register(), await register(), await register()]
    // A stored Privy callback (its body names email and phone) is sealed too.
    await gateway.enableCallbacks()
    const pushed = await register({ phone_verified: true })
    await gateway.sim('POST', `/__sim/registrations/${pushed.reference}/verify`, { outcome: 'verified' })
    await eventually(
      () => gateway.database.prisma.privyCallback.count({ where: { referenceNumber: pushed.reference } }),
      (count) => count > 0,
    )
    expect(
      await gateway.database.prisma.privyCallback.count({ where: { referenceNumber: pushed.reference } }),
    ).toBe(1)
    const endpoint = await (await clientFor(gateway, 'operator')).webhookEndpoints
      .create({ url: 'http://127.0.0.1:9/hooks' })
      .withResponse()
    expect(endpoint.response.status).toBe(201)

    // The new key is active, the old one still opens: a second instance serves during the rotation.
    const during = await startTestGateway(
      { PII_ENCRYPTION_KEY: KEY_B, PII_ENCRYPTION_PREVIOUS_KEYS: KEY_A, PII_LOOKUP_KEY: LOOKUP },
      { database: gateway.database, simulator: gateway.simulator },
    )
    try {
      const operator = await clientFor(during, 'operator')
      const cipherBA = piiCipherOf(keysBA)
      const [totals, served] = await Promise.all([
        rotatePiiKeys(allResealers(gateway.database, cipherBA)),
        Promise.all(people.map((person) => operator.registrations.lookup(person.nik))),
      ])
      for (const response of served) expect(response.data).toHaveLength(1)
      expect(totals['registrations (NIK, date of birth)']).toBeGreaterThanOrEqual(people.length)
      expect(totals['webhook signing secrets']).toBeGreaterThanOrEqual(1)
      expect(totals['stored Privy callbacks']).toBeGreaterThanOrEqual(1)
      expect(totals['registrations (Privy register token)']).toBeGreaterThanOrEqual(people.length)
      expect(totals['documents (Privy document token)']).toBeGreaterThanOrEqual(1)
      const callback = await gateway.database.prisma.privyCallback.findFirstOrThrow({
        where: { referenceNumber: pushed.reference },
      })
      expect(callback.bodyKeyId).toBe(piiCipherOf(keysB).activeKeyId)

      // Now the new key alone opens every row; a second run finds nothing left.
      const cipherB = piiCipherOf(keysB)
      for (const person of people) {
        const row = await rowOf(person.id)
        expect(row.piiKeyId).toBe(cipherB.activeKeyId)
        // The register token too: the new key alone opens it.
        expect(row.tokenKeyId).toBe(cipherB.activeKeyId)
        expect(await registerTokenOf({ database: gateway.database, pii: cipherB }, person.id)).toEqual(
          expect.any(String),
        )
        const dob = cipherB.open(
          { keyId: row.piiKeyId ?? '', data: Buffer.from(row.dobSealed ?? []) },
          identityContext(person.id, 'dob'),
        )
        expect(dob.toString()).toBe(person.dob)
      }
      const again = await rotatePiiKeys(allResealers(gateway.database, cipherBA))
      expect(Object.values(again)).toEqual([0, 0, 0, 0, 0])
      // A gateway with the new key alone reads a registration's status with its re-sealed token.
      const refreshed = await getRegistration(during, { token }, people[0]?.id ?? '', { refresh: true })
      expect(refreshed.id).toBe(people[0]?.id)
      // A gateway with only the new key rotates a webhook secret it can read.
      const rotated = await operator.webhookEndpoints.rotateSecret(endpoint.data.id).withResponse()
      expect(rotated.response.status).toBe(200)
    } finally {
      await during.close()
    }
  })

  it.runIf(process.env.DATABASE_URL)('`npm run pii:rotate` does it from the command line', async () => {
    const person = await register()
    const url = new URL(process.env.DATABASE_URL ?? '')
    const schema = (
      await gateway.database.prisma.$queryRaw<Array<{ schema: string }>>`SELECT current_schema() AS schema`
    )[0]?.schema
    url.searchParams.set('schema', schema ?? 'public')
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/rotate-pii-keys.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        PII_ENCRYPTION_KEY: Buffer.alloc(32, 'key-c').toString('base64'),
        PII_ENCRYPTION_PREVIOUS_KEYS: `${KEY_A},${KEY_B}`,
        PII_LOOKUP_KEY: LOOKUP,
      },
    })
    expect(stdout).toContain('done: every sealed value is under the active key')
    const cipherC = piiCipherOf({ ...keysB, encryptionKey: Buffer.alloc(32, 'key-c').toString('base64') })
    expect((await rowOf(person.id)).piiKeyId).toBe(cipherC.activeKeyId)
  })
})

describe('retention', () => {
  it('erases the NIK and date of birth of registrations that ended, keeping ids and statuses', async () => {
    const verified = await register({ phone_verified: true })
    await gateway.sim('POST', `/__sim/registrations/${verified.reference}/verify`, { outcome: 'verified' })
    const read = await getRegistration(gateway, { token }, verified.id, { refresh: true })
    expect(read.status).toBe('verified')
    const ongoing = await register()

    gateway.clock.advance(31 * 86_400_000)
    // Reading it again (a write of synced_at) does not restart its retention: it ended 31 days ago.
    await getRegistration(gateway, { token }, verified.id, { refresh: true })
    const erased = await eventually(
      () => rowOf(verified.id),
      (row) => row.piiErasedAt !== null,
    )
    expect(erased.piiErasedAt).not.toBeNull()
    expect(erased.nikSealed).toBeNull()
    expect(erased.dobSealed).toBeNull()
    expect(erased.nikLookup).toBeNull()
    expect(erased.status).toBe('verified')
    // Its register token stays (sealed): status reads need it, and it is not personal data.
    expect(erased.registerTokenSealed).not.toBeNull()
    // Callbacks of that age keep their metadata, not their bodies.
    const bodies = await gateway.database.prisma.privyCallback.findMany({
      where: { referenceNumber: verified.reference },
    })
    expect(bodies.length).toBeGreaterThanOrEqual(1)
    for (const callback of bodies) expect(callback.sizeBytes).toBe(0)
    expect(erased.privyId).not.toBeNull()
    const stillReadable = await getRegistration(gateway, { token }, verified.id)
    expect(stillReadable).toMatchObject({ id: verified.id, status: 'verified' })
    // A registration still in progress keeps what it needs...
    expect((await rowOf(ongoing.id)).nikSealed).not.toBeNull()
    // ...until, never ended, it is twice the retention old: abandoned.
    gateway.clock.advance(30 * 86_400_000)
    let abandoned = await rowOf(ongoing.id)
    for (let attempt = 0; attempt < 50 && !abandoned.piiErasedAt; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      abandoned = await rowOf(ongoing.id)
    }
    expect(abandoned.nikSealed).toBeNull()
    expect(abandoned.status).toBe('waiting_otp')
    // The events outlive every retention sweep: with the gateway's clock 61 days on and housekeeping
    // sweeping every 100 ms, the feed still has them (README, Webhooks).
    const feed = await (await clientFor(gateway, { token })).events.list({ order: 'oldest_first' }).toArray()
    const kept = feed.filter((event) => event.data.id === verified.id)
    expect(kept.map((event) => event.data.status)).toContain('verified')
  })
})
