import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type Database, openDatabase } from '../../src/db/database.js'
import { IN_MEMORY } from '../../src/db/pglite.js'
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

async function openPgliteTestDatabase(): Promise<Database> {
  // From the cached dump of a migrated cluster (src/db/pglite-template.ts): no initdb per test file.
  const database = await openDatabase({ pgliteDataDir: IN_MEMORY, pgliteStartMigrated: true })
  // A no-op on the template (milliseconds); keeps the helper right even if the cache were stale.
  await database.migrate()
  return database
}
