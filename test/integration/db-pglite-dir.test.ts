import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'

const root = await mkdtemp(join(tmpdir(), 'db-pglite-dir-'))

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('PGlite in a data directory', () => {
  it('creates the directory, and keeps data and migrations across close and reopen', {
    timeout: 120_000,
  }, async () => {
    const pgliteDataDir = join(root, 'nested', 'data')
    const id = randomUUID()

    const first = await openDatabase({ pgliteDataDir })
    try {
      expect(first.kind).toBe('pglite')
      expect((await stat(pgliteDataDir)).isDirectory()).toBe(true)
      expect((await first.migrate()).applied).not.toEqual([])
      await first.prisma.registration.create({
        data: {
          id,
          ownerId: 'user-1',
          referenceNumber: 'REF-persist',
          registrationType: 'landing_page',
          status: 'waiting_otp',
          emailMasked: 'a***@example.com',
          phoneMasked: '+62*******01',
        },
      })
    } finally {
      await first.close()
    }

    const second = await openDatabase({ pgliteDataDir })
    try {
      expect(await second.migrate()).toEqual({ applied: [] })
      expect(await second.prisma.registration.findUnique({ where: { id } })).toMatchObject({
        referenceNumber: 'REF-persist',
        status: 'waiting_otp',
      })
    } finally {
      await second.close()
    }
  })
})
