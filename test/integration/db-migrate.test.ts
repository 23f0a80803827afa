import { createHash, randomBytes } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrations.js'
import { MIGRATION_LOCK_KEY } from '../../src/db/postgres-migration-connection.js'
import { defaultMigrationsDir } from '../../src/db/project-paths.js'
import { openTestDatabase } from '../helpers/database.js'

const databaseUrl = process.env.DATABASE_URL
const committed = defaultMigrationsDir()
const scratch: string[] = []
const schemas: string[] = []

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })))
  if (databaseUrl && schemas.length > 0) {
    await withClient(databaseUrl, (client) =>
      client.query(schemas.map((schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).join(';')),
    )
  }
})

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function freshSchema(): string {
  const schema = `t_${randomBytes(8).toString('hex')}`
  schemas.push(schema)
  return schema
}

async function committedMigrations(): Promise<Array<{ name: string; checksum: string }>> {
  const entries = await readdir(committed, { withFileTypes: true })
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
  return Promise.all(
    names.sort().map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(join(committed, name, 'migration.sql')))
        .digest('hex'),
    })),
  )
}

/** The committed migrations plus `extra` ones, in a temporary directory. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'db-migrate-'))
  scratch.push(dir)
  await cp(committed, dir, { recursive: true })
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(join(dir, name))
    await writeFile(join(dir, name, 'migration.sql'), sql)
  }
  return dir
}

interface MigrationRow {
  migration_name: string
  checksum: string
  finished_at: Date | null
  rolled_back_at: Date | null
  logs: string | null
  applied_steps_count: number
}

function migrationRows(database: Database): Promise<MigrationRow[]> {
  return database.prisma.$queryRaw<MigrationRow[]>`
    SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count
    FROM _prisma_migrations ORDER BY migration_name`
}

async function tableExists(database: Database, table: string): Promise<boolean> {
  const [row] = await database.prisma.$queryRaw<Array<{ found: string | null }>>`
    SELECT to_regclass(${table})::text AS found`
  return row?.found != null
}

type Opener = (options?: { migrationsDir?: string }) => Promise<Database>

const kinds: Array<{ kind: Database['kind']; enabled: boolean; open: Opener }> = [
  {
    kind: 'pglite',
    enabled: true,
    open: (options = {}) => openDatabase({ pgliteDataDir: 'memory://', ...options }),
  },
  {
    kind: 'postgres',
    enabled: databaseUrl !== undefined,
    open: (options = {}) => openDatabase({ databaseUrl, schema: freshSchema(), poolSize: 2, ...options }),
  },
]

for (const { kind, enabled, open } of kinds) {
  describe.runIf(enabled)(`migrations on ${kind}`, () => {
    it('records every migration as prisma migrate deploy does, and a second run is a no-op', async () => {
      const database = await open()
      try {
        const expected = await committedMigrations()

        expect(await database.migrate()).toEqual({ applied: expected.map(({ name }) => name) })
        expect(await database.migrate()).toEqual({ applied: [] })

        const rows = await migrationRows(database)
        expect(rows.map(({ migration_name, checksum }) => ({ name: migration_name, checksum }))).toEqual(
          expected,
        )
        for (const row of rows) {
          expect(row.finished_at).toBeInstanceOf(Date)
          expect(row.rolled_back_at).toBeNull()
          expect(row.applied_steps_count).toBe(1)
        }
      } finally {
        await database.close()
      }
    })

    it('runs a migration as one script, so semicolons inside literals and bodies survive', async () => {
      const migrationsDir = await migrationsWith({
        '29990101000000_semicolons': [
          `CREATE TABLE "notes" ("body" TEXT NOT NULL DEFAULT 'a;b');`,
          `CREATE FUNCTION "note_count"() RETURNS bigint LANGUAGE plpgsql AS $$`,
          `BEGIN RETURN (SELECT count(*) FROM "notes"); END;`,
          `$$;`,
          `INSERT INTO "notes" DEFAULT VALUES;`,
        ].join('\n'),
      })
      const database = await open({ migrationsDir })
      try {
        await database.migrate()

        const rows = await database.prisma.$queryRaw<Array<{ body: string; n: bigint }>>`
          SELECT body, note_count() AS n FROM notes`
        expect(rows).toEqual([{ body: 'a;b', n: 1n }])
      } finally {
        await database.close()
      }
    })

    it('rolls a failing migration back whole and reports the server error', async () => {
      const migrationsDir = await migrationsWith({
        '29990101000000_broken':
          'CREATE TABLE "half_done" ("id" INT);\nCREATE TABLE "half_done" ("id" INT);\n',
      })
      const database = await open({ migrationsDir })
      try {
        await expect(database.migrate()).rejects.toThrow(/"half_done" already exists/)

        expect(await tableExists(database, 'half_done')).toBe(false)
        const broken = (await migrationRows(database)).find((row) => row.migration_name.endsWith('_broken'))
        expect(broken?.finished_at).toBeNull()
        expect(broken?.logs).toMatch(/already exists/)
        // As with prisma migrate deploy, a failed migration blocks later runs until resolved.
        await expect(database.migrate()).rejects.toThrow(/failed/)
      } finally {
        await database.close()
      }
    })
  })
}

describe('openTestDatabase', () => {
  it('hands out a migrated database of the configured kind', async () => {
    const database = await openTestDatabase()
    try {
      expect(database.kind).toBe(databaseUrl ? 'postgres' : 'pglite')
      expect(await database.migrate()).toEqual({ applied: [] })
      expect(await database.prisma.registration.count()).toBe(0)
    } finally {
      await database.close()
    }
  })
})

describe.runIf(databaseUrl !== undefined)('concurrent migrators on PostgreSQL', () => {
  const url = databaseUrl ?? ''

  it('apply each migration once when two instances start together', async () => {
    const schema = freshSchema()
    const first = await openDatabase({ databaseUrl: url, schema, poolSize: 1 })
    const second = await openDatabase({ databaseUrl: url, schema, poolSize: 1 })
    try {
      const results = await Promise.all([first.migrate(), second.migrate()])

      const expected = (await committedMigrations()).map(({ name }) => name)
      expect(results.map(({ applied }) => applied).sort()).toEqual([[], expected])
      expect((await migrationRows(first)).map((row) => row.migration_name)).toEqual(expected)
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })

  it('give up with a clear error when the migration lock stays taken', async () => {
    await withClient(url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
      await expect(
        applyMigrations({
          kind: 'postgres',
          connectionString: url,
          schema: freshSchema(),
          lockTimeoutMs: 300,
        }),
      ).rejects.toThrow(/advisory lock 72707369/)
    })
  })

  it('release the lock when done, so a later migrator does not wait', async () => {
    await applyMigrations({ kind: 'postgres', connectionString: url, schema: freshSchema() })

    const held = await withClient(url, async (client) => {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
        [MIGRATION_LOCK_KEY],
      )
      return rows[0]?.n
    })
    // Other test processes may be migrating right now; our own connection must not hold it.
    expect(held).toBeLessThanOrEqual(1)
  })
})
