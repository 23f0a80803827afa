import { createHash, randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { type Database, openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrations.js'
import { readMigrationsList } from '../../src/db/migrations-dir.js'
import { IN_MEMORY, openPglite } from '../../src/db/pglite.js'
import { defaultMigrationsDir } from '../../src/db/project-paths.js'
import { quoteIdentifier } from '../../src/db/sql-identifier.js'

/**
 * A migrated database of its own for the caller: a fresh schema `t_<random>` in DATABASE_URL's
 * database when that is set (dropped again by close()), else an in-memory PGlite. Test files run in
 * parallel processes, so nothing is shared between calls. `kind` forces one (postgres needs
 * DATABASE_URL).
 */
export async function openTestDatabase(kind?: Database['kind']): Promise<Database> {
  const databaseUrl = process.env.DATABASE_URL
  if (kind === 'pglite' || (kind === undefined && !databaseUrl)) return openPgliteTestDatabase()
  if (!databaseUrl) throw new Error('openTestDatabase("postgres") needs DATABASE_URL')
  return openPostgresTestDatabase(databaseUrl)
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)
  } finally {
    await client.end()
  }
}

async function openPostgresTestDatabase(databaseUrl: string): Promise<Database> {
  const schema = `t_${randomBytes(8).toString('hex')}`
  const database = await openDatabase({ databaseUrl, schema, poolSize: 5 })
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= database.close().finally(() => dropSchema(databaseUrl, schema))
    return closing
  }
  try {
    await database.migrate()
  } catch (error) {
    await close()
    throw error
  }
  return { ...database, close }
}

// Starting an empty PGlite runs initdb (seconds); loading a dump of an already migrated one does not.
// The dump is cached in the temp directory under a key of PGlite's version and the migrations, so
// every test process after the first starts from it.
async function templateFile(): Promise<string> {
  const require = createRequire(import.meta.url)
  const packageJson = join(dirname(dirname(require.resolve('@electric-sql/pglite'))), 'package.json')
  const hash = createHash('sha256').update(await readFile(packageJson))
  const { migrationDirectories } = await readMigrationsList(defaultMigrationsDir())
  for (const { path, migrationFile } of migrationDirectories)
    hash.update(path).update(JSON.stringify(migrationFile))
  return join(tmpdir(), `privy-gateway-pglite-${hash.digest('hex').slice(0, 16)}.tar`)
}

async function readTemplate(file: string): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(file)])
  } catch {
    return undefined
  }
}

async function buildTemplate(file: string): Promise<Blob> {
  const pglite = await openPglite(IN_MEMORY)
  try {
    await applyMigrations({ kind: 'pglite', pglite })
    const dump = await pglite.dumpDataDir('none')
    // Written aside and renamed, so a parallel process never reads half a file.
    const partial = `${file}.${process.pid}.partial`
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()))
    await rename(partial, file)
    return dump
  } finally {
    await pglite.close()
  }
}

async function openPgliteTestDatabase(): Promise<Database> {
  const file = await templateFile()
  const template = (await readTemplate(file)) ?? (await buildTemplate(file))
  const database = await openDatabase({ pgliteDataDir: IN_MEMORY, pgliteLoadDataDir: template })
  // A no-op on the template (milliseconds); keeps the helper right even if the cache were stale.
  await database.migrate()
  return database
}
