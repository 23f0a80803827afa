import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createMigration, diffSchemaAgainstMigrations } from '../../src/db/migrations.js'
import { LOCKFILE_CONTENT } from '../../src/db/migrations-dir.js'
import { defaultMigrationsDir, defaultSchemaPath } from '../../src/db/project-paths.js'

// Each diff replays the migrations in a fresh shadow database: seconds on PGlite.
const SLOW = 120_000
const databaseUrl = process.env.DATABASE_URL
const scratch: string[] = []

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(copyCommitted: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'db-drift-'))
  scratch.push(dir)
  if (copyCommitted) await cp(defaultMigrationsDir(), dir, { recursive: true })
  return dir
}

async function withExtraModel(): Promise<string> {
  const schema = await readFile(defaultSchemaPath(), 'utf8')
  return `${schema}\nmodel DriftProbe {\n  id    Int    @id\n  label String\n}\n`
}

async function shadowDatabases(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    )
    return rows.map((row) => row.datname)
  } finally {
    await client.end()
  }
}

describe('schema.prisma against the committed migrations', () => {
  it('has no drift on PGlite', { timeout: SLOW }, async () => {
    expect(await diffSchemaAgainstMigrations()).toBe('')
  })

  it.runIf(databaseUrl !== undefined)('has no drift on PostgreSQL', { timeout: SLOW }, async () => {
    const url = databaseUrl ?? ''
    const before = await shadowDatabases(url)

    expect(await diffSchemaAgainstMigrations({ shadowDatabaseUrl: url })).toBe('')
    // The temporary shadow database is dropped again.
    expect(await shadowDatabases(url)).toEqual(before)
  })

  it('reports a model the migrations lack, so the check can fail', { timeout: SLOW }, async () => {
    const sql = await diffSchemaAgainstMigrations({ datamodel: await withExtraModel() })

    expect(sql).toContain('CREATE TABLE "DriftProbe"')
    expect(sql).not.toContain('"registrations"')
  })
})

describe('createMigration', () => {
  it('writes the missing SQL as a new timestamped migration that closes the drift', {
    timeout: SLOW,
  }, async () => {
    const migrationsDir = await tempDir(true)
    const datamodel = await withExtraModel()
    const now = new Date('2099-12-31T23:59:58Z')

    const created = await createMigration('add drift-probe', { migrationsDir, now, datamodel })

    expect(created?.name).toBe('20991231235958_add_drift_probe')
    expect(created?.path).toBe(join(migrationsDir, '20991231235958_add_drift_probe', 'migration.sql'))
    expect(await readFile(created?.path ?? '', 'utf8')).toBe(created?.sql)
    expect(created?.sql).toContain('CREATE TABLE "DriftProbe"')
    expect(await diffSchemaAgainstMigrations({ migrationsDir, datamodel })).toBe('')
    expect(await createMigration('again', { migrationsDir, datamodel })).toBeNull()
  })

  it('starts an empty directory with the lockfile and the full schema', { timeout: SLOW }, async () => {
    const migrationsDir = await tempDir(false)

    const created = await createMigration('init', { migrationsDir, now: new Date('2000-01-02T03:04:05Z') })

    expect(created?.name).toBe('20000102030405_init')
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(LOCKFILE_CONTENT)
    expect(created?.sql).toContain('CREATE TABLE "registrations"')
    // Alone, the generated migration reproduces the whole schema: nothing is left to diff.
    expect(await diffSchemaAgainstMigrations({ migrationsDir })).toBe('')
  })

  it('refuses a name without letters or digits', async () => {
    await expect(createMigration(' -- ', { migrationsDir: await tempDir(false) })).rejects.toThrow(
      /no letters/,
    )
  })
})
