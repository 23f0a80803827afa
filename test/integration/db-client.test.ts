import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { openTestDatabase } from '../helpers/database.js'

const databaseUrl = process.env.DATABASE_URL

function registrationData(ownerId: string) {
  return {
    id: randomUUID(),
    ownerId,
    referenceNumber: `REF-${randomUUID()}`,
    registrationType: 'privy_ra' as const,
    status: 'pending' as const,
    emailMasked: 'b***@example.com',
    phoneMasked: '+62*******89',
    upstreamError: { code: 'E1', nested: { retry: false } },
  }
}

async function currentSchema(database: Database): Promise<string | undefined> {
  const [row] = await database.prisma.$queryRaw<Array<{ schema: string }>>`SELECT current_schema() AS schema`
  return row?.schema
}

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
    return rowCount === 1
  } finally {
    await client.end()
  }
}

const kinds: Array<{ kind: Database['kind']; enabled: boolean }> = [
  { kind: 'pglite', enabled: true },
  { kind: 'postgres', enabled: databaseUrl !== undefined },
]

for (const { kind, enabled } of kinds) {
  describe.runIf(enabled)(`the Prisma client on ${kind}`, () => {
    it('inserts and reads back a Registration with its defaults', async () => {
      const database = await openTestDatabase(kind)
      try {
        expect(database.kind).toBe(kind)
        const data = registrationData('user-1')

        await database.prisma.registration.create({ data })
        const row = await database.prisma.registration.findUniqueOrThrow({ where: { id: data.id } })

        expect(row).toMatchObject({
          ...data,
          submission: 'in_flight',
          canResend: false,
          registerTokenSealed: null,
        })
        expect(row.createdAt).toBeInstanceOf(Date)
        expect(row.updatedAt).toBeInstanceOf(Date)
        expect(
          await database.prisma.registration.findMany({
            where: { ownerId: 'user-1' },
            orderBy: { createdAt: 'desc' },
          }),
        ).toHaveLength(1)
      } finally {
        await database.close()
      }
    })

    it('answers ping while open, refuses after close, and closes twice without error', async () => {
      const database = await openTestDatabase(kind)
      await database.ping()

      await database.close()
      await database.close()

      await expect(database.ping()).rejects.toThrow()
    })
  })
}

describe.runIf(databaseUrl !== undefined)('test databases on PostgreSQL', () => {
  it('live in separate schemas that do not see each other and are dropped on close', async () => {
    const [first, second] = await Promise.all([openTestDatabase('postgres'), openTestDatabase('postgres')])
    const firstSchema = await currentSchema(first)
    try {
      await first.prisma.registration.create({ data: registrationData('user-a') })
      await second.prisma.registration.createMany({
        data: [registrationData('user-b'), registrationData('user-b')],
      })

      expect(firstSchema).toMatch(/^t_[0-9a-f]{16}$/)
      expect(await currentSchema(second)).not.toBe(firstSchema)
      expect(await first.prisma.registration.findMany({ select: { ownerId: true } })).toEqual([
        { ownerId: 'user-a' },
      ])
      expect(await second.prisma.registration.count()).toBe(2)
      expect(await second.prisma.registration.count({ where: { ownerId: 'user-a' } })).toBe(0)
    } finally {
      await Promise.all([first.close(), second.close()])
    }
    expect(await schemaExists(databaseUrl ?? '', firstSchema ?? '')).toBe(false)
  })
})
