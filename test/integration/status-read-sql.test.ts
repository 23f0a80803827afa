import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { documentRecords, withSigners } from '../../src/modules/documents/documents.records.js'
import { createDocumentRepository } from '../../src/modules/documents/documents.repository.js'
import { registrationRecords } from '../../src/modules/registration/registration.records.js'
import { createRegistrationRepository } from '../../src/modules/registration/registration.repository.js'
import { openTestDatabase } from '../helpers/database.js'

// The status reads (findVisible) run their own SQL past Prisma's model query: the record they give
// must be the one Prisma's row gave, field for field and type for type (Dates, bytes, JSON, the
// lazily opened token), on both kinds of database, with every optional column set and unset.

const pii = createPiiCipher({
  active: piiKeyFromBase64(Buffer.alloc(32, 7).toString('base64')),
  lookupKey: Buffer.alloc(32, 8),
})
const at = (iso: string) => new Date(iso)

const kinds: Array<{ kind: Database['kind']; enabled: boolean }> = [
  { kind: 'pglite', enabled: true },
  { kind: 'postgres', enabled: process.env.DATABASE_URL !== undefined },
]

/** Same fields in the same order, same values and classes, and the same token behind the getter. */
function expectSameRecord(
  raw: ({ id: string } & Record<string, unknown>) | null,
  prisma: ({ id: string } & Record<string, unknown>) | null,
  token: 'registerToken' | 'documentToken',
) {
  expect(raw).not.toBeNull()
  expect(Object.keys(raw ?? {})).toEqual(Object.keys(prisma ?? {}))
  expect(raw).toStrictEqual(prisma)
  for (const [key, value] of Object.entries(prisma ?? {})) {
    const rawValue = raw?.[key]
    expect(Object.prototype.toString.call(rawValue), key).toBe(Object.prototype.toString.call(value))
    if (value !== null && typeof value === 'object')
      expect(Object.getPrototypeOf(rawValue), key).toBe(Object.getPrototypeOf(value))
  }
  expect(raw?.[token]).toBe(prisma?.[token])
  expect(Object.keys(raw ?? {})).not.toContain(token)
}

for (const { kind, enabled } of kinds) {
  describe.runIf(enabled)(`the status reads' own SQL on ${kind}`, () => {
    let database: Database
    beforeAll(async () => {
      database = await openTestDatabase(kind)
    })
    afterAll(async () => {
      await database?.close()
    })

    it('gives the registration record Prisma gave, with every optional column set and unset', async () => {
      const { prisma, raw } = database
      const repository = createRegistrationRepository(prisma, pii, raw)
      const records = registrationRecords(prisma, pii, raw)
      const bare = {
        id: randomUUID(),
        ownerId: 'owner-a',
        referenceNumber: `REF-${randomUUID()}`,
        registrationType: 'landing_page' as const,
        status: 'pending' as const,
        emailMasked: 'b***@example.com',
        phoneMasked: '62*******89',
      }
      const fullId = randomUUID()
      const full = {
        ...bare,
        id: fullId,
        referenceNumber: `REF-${randomUUID()}`,
        registrationType: 'privy_ra' as const,
        status: 'rejected' as const,
        submission: 'submitted' as const,
        phoneLookup: 'phone-hmac',
        ...records.sealedToken(fullId, 'register-token-secret'),
        registrationUrl: 'https://privy.example/register/1',
        privyId: 'PRIVY01',
        rejectCode: 'RC01',
        rejectReason: 'Blurry selfie',
        canResend: true,
        upstreamError: { code: 'E1', nested: { retry: false, list: [1, 'two', null] } },
        syncedAt: at('2026-12-01T10:00:00.123Z'),
        upstreamUpdatedAt: at('2026-12-01T09:59:59.001Z'),
        nikSealed: new Uint8Array([1, 2, 3, 0, 255]),
        dobSealed: new Uint8Array([9, 8, 7]),
        piiKeyId: 'key-1',
        phonePrefixLookup: 'prefix-hmac',
        emailLookup: 'email-hmac',
        nikLookup: 'nik-hmac',
        piiErasedAt: at('2026-12-02T00:00:00.000Z'),
        endedAt: at('2026-12-01T11:00:00.500Z'),
        lateAnswerUntil: at('2026-12-01T10:05:00.000Z'),
        workLockedUntil: at('2026-12-01T10:06:00.000Z'),
      }
      for (const data of [bare, full]) {
        await prisma.registration.create({ data })
        const viaPrisma = records.orNull(
          await prisma.registration.findFirst({ where: { id: data.id, submission: { not: 'failed' } } }),
        )
        expectSameRecord(await repository.findVisible(data.id), viaPrisma, 'registerToken')
        expectSameRecord(await repository.findVisible(data.id, 'owner-a'), viaPrisma, 'registerToken')
        expect(await repository.findVisible(data.id, 'owner-b')).toBeNull()
      }
      expect((await repository.findVisible(fullId))?.registerToken).toBe('register-token-secret')
      await prisma.registration.update({ where: { id: bare.id }, data: { submission: 'failed' } })
      expect(await repository.findVisible(bare.id)).toBeNull()
      expect(await repository.findVisible(randomUUID())).toBeNull()
    })

    it("touches a registration's synced_at without reading it back, unless another write came between", async () => {
      const { prisma, raw } = database
      const repository = createRegistrationRepository(prisma, pii, raw)
      const records = registrationRecords(prisma, pii, raw)
      const id = randomUUID()
      await prisma.registration.create({
        data: {
          id,
          ownerId: 'owner-t',
          referenceNumber: `REF-${randomUUID()}`,
          registrationType: 'landing_page',
          status: 'pending',
          submission: 'submitted',
          emailMasked: 'b***@example.com',
          phoneMasked: '62*******89',
          ...records.sealedToken(id, 'touch-token'),
        },
      })
      const read = await repository.findVisible(id)
      if (!read) throw new Error('the registration was not read')
      const syncedAt = at('2026-12-03T08:00:00.250Z')
      const touched = await repository.touchSynced(read, syncedAt)
      const stored = records.toRecord(await prisma.registration.findUniqueOrThrow({ where: { id } }))
      expectSameRecord(touched, stored, 'registerToken')
      expect(touched.syncedAt).toEqual(syncedAt)
      expect(touched.updatedAt.getTime()).toBeGreaterThan(read.updatedAt.getTime() - 1)
      // Another writer between the read and the touch: its change is not lost from the record given.
      await prisma.registration.update({ where: { id }, data: { privyId: 'PRIVY-LATE' } })
      const again = await repository.touchSynced(touched, at('2026-12-03T09:00:00.000Z'))
      expect(again.privyId).toBe('PRIVY-LATE')
      expectSameRecord(
        again,
        records.toRecord(await prisma.registration.findUniqueOrThrow({ where: { id } })),
        'registerToken',
      )
    })

    it('gives the document record Prisma gave, signers in order, optional columns set and unset', async () => {
      const { prisma, raw } = database
      const repository = createDocumentRepository(prisma, pii, raw)
      const records = documentRecords(prisma, pii, raw)
      const bare = {
        id: randomUUID(),
        ownerId: 'uploader',
        referenceNumber: `DOC-${randomUUID()}`,
        title: 'Bare',
        process: 'sign_only' as const,
        signProcess: 'serial' as const,
        visibility: false,
        sha256: 'a'.repeat(64),
        sizeBytes: 1234,
        pageCount: 1,
      }
      const fullId = randomUUID()
      const full = {
        ...bare,
        id: fullId,
        referenceNumber: `DOC-${randomUUID()}`,
        title: 'Full "quoted" \\ title',
        process: 'sign_then_emeterai' as const,
        signProcess: 'parallel' as const,
        visibility: true,
        status: 'processing' as const,
        submission: 'submitted' as const,
        ...records.sealedToken(fullId, 'document-token-secret'),
        signingUrl: 'https://privy.example/sign/1',
        eMeterai: { category: 'x', placements: [{ page: 1, x: 1.5, y: 2, dimension: 30 }], status: null },
        signedSha256: 'b'.repeat(64),
        upstreamError: { code: 'E2' },
        upstreamUpdatedAt: at('2026-12-01T10:00:00.001Z'),
        syncedAt: at('2026-12-01T10:00:00.999Z'),
        revokedAt: at('2026-12-01T10:01:00.010Z'),
        lateAnswerUntil: at('2026-12-01T10:02:00.000Z'),
        workLockedUntil: at('2026-12-01T10:03:00.000Z'),
      }
      await prisma.document.create({ data: bare })
      await prisma.document.create({ data: full })
      // Inserted out of order: the read gives them by position, as Prisma's include does.
      const seat = (position: number, extra: object) => ({
        id: randomUUID(),
        documentId: fullId,
        position,
        privyId: `SIGNER${position}`,
        role: 'signer' as const,
        placements: [{ page: position, x: 10.25, y: 20 }],
        ...extra,
      })
      await prisma.documentSigner.create({
        data: seat(2, {
          userOwnerId: 'signer-user',
          status: 'signed',
          signedAt: at('2026-12-01T10:00:01.020Z'),
        }),
      })
      await prisma.documentSigner.create({
        data: seat(1, { registrationId: randomUUID(), role: 'reviewer', status: 'rejected' }),
      })
      await prisma.documentSigner.create({ data: seat(3, {}) })
      for (const data of [bare, full]) {
        const viaPrisma = records.orNull(
          await prisma.document.findFirst({
            where: { id: data.id, submission: { not: 'failed' } },
            include: withSigners,
          }),
        )
        expectSameRecord(await repository.findVisible(data.id), viaPrisma, 'documentToken')
        expectSameRecord(await repository.findVisible(data.id, 'uploader'), viaPrisma, 'documentToken')
      }
      const fullRecord = await repository.findVisible(fullId)
      expect(fullRecord?.signers.map((signer) => signer.position)).toEqual([1, 2, 3])
      expect(fullRecord?.signers[1]?.signedAt).toEqual(at('2026-12-01T10:00:01.020Z'))
      expect(fullRecord?.documentToken).toBe('document-token-secret')
      // A signer the gateway knows may read it; a stranger may not; nor anyone a failed upload.
      expect((await repository.findVisible(fullId, 'signer-user'))?.id).toBe(fullId)
      expect(await repository.findVisible(fullId, 'stranger')).toBeNull()
      expect(await repository.findVisible(bare.id, 'signer-user')).toBeNull()
      await prisma.document.update({ where: { id: bare.id }, data: { submission: 'failed' } })
      expect(await repository.findVisible(bare.id)).toBeNull()
      expect(await repository.findVisible(randomUUID())).toBeNull()
    })

    it('reads on after a statement is refused, its rows described once and then no more', async () => {
      // On PostgreSQL a named statement is described on its first execution in the pool only
      // (src/db/raw-sql.ts): every later read, on any connection, must still give whole records,
      // and a refused execution must leave the connection in step for the next read.
      const { prisma, raw } = database
      const repository = createRegistrationRepository(prisma, pii, raw)
      const records = registrationRecords(prisma, pii, raw)
      const ids = Array.from({ length: 12 }, () => randomUUID())
      for (const [n, id] of ids.entries()) {
        await prisma.registration.create({
          data: {
            id,
            ownerId: 'owner-s',
            referenceNumber: `REF-${randomUUID()}`,
            registrationType: 'privy_ra',
            status: 'waiting_verification',
            submission: 'submitted',
            emailMasked: 'b***@example.com',
            phoneMasked: '62*******89',
            syncedAt: at(`2026-12-01T10:00:${String(n).padStart(2, '0')}.000Z`),
            ...records.sealedToken(id, `token-${n}`),
          },
        })
      }
      const expected = async (id: string) =>
        records.orNull(await prisma.registration.findFirst({ where: { id, submission: { not: 'failed' } } }))
      // Concurrent reads spread over several pooled connections, each described or not.
      const first = await Promise.all(ids.map((id) => repository.findVisible(id)))
      for (const [n, id] of ids.entries())
        expectSameRecord(first[n] ?? null, await expected(id), 'registerToken')
      await expect(repository.findVisible('not-a-uuid')).rejects.toThrow()
      await expect(repository.findVisible('not-a-uuid', 'owner-s')).rejects.toThrow()
      const again = await Promise.all(ids.map((id) => repository.findVisible(id, 'owner-s')))
      for (const [n, id] of ids.entries()) {
        expectSameRecord(again[n] ?? null, await expected(id), 'registerToken')
        expect(again[n]?.registerToken).toBe(`token-${n}`)
      }
    })
  })
}
