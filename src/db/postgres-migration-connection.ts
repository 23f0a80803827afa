import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type pg from 'pg'
import { type MigrationConnection, type SqlRunner, withWholeScripts } from './migration-connection.js'
import { dedicatedPool, urlForDatabase } from './postgres-migration-pool.js'
import { quoteIdentifier } from './sql-identifier.js'

/**
 * The advisory lock key of `prisma migrate` and of the schema engine's applyMigrations: sharing it
 * serialises gateway instances with each other and with the Prisma CLI.
 */
export const MIGRATION_LOCK_KEY = 72707369
const LOCK_POLL_MS = 200

export interface PostgresMigrationOptions {
  connectionString: string
  /** Where the migrations create their objects; created when missing. */
  schema: string
  /** How long to wait for another migrator to finish; default 60 s. */
  lockTimeoutMs?: number
}

async function adapterOn(
  pool: pg.Pool,
  schema: string,
  dispose: () => Promise<void>,
): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPg(pool, { schema }).connect()
  return withWholeScripts(adapter, (script) => pool.query(script), dispose)
}

interface PgFactory {
  factory: SqlMigrationAwareDriverAdapterFactory
  /** Drops shadow databases the engine did not dispose of (it skips that when a command fails). */
  dropShadows(): Promise<void>
}

/**
 * Shadow databases are created next to the target and dropped on dispose. The stock adapter's own
 * `connectToShadowDb` is unusable when it was given a connection string: pg lets the string's database
 * win over the shadow's name, so the "shadow" migrations run against the real database.
 */
function pgFactory(connectionString: string, pool: pg.Pool, schema: string): PgFactory {
  const shadows = new Map<string, () => Promise<void>>()
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: new PrismaPg(pool).adapterName,
    connect: () => adapterOn(pool, schema, async () => {}),
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`
      await pool.query(`CREATE DATABASE ${quoteIdentifier(name)}`)
      const shadowPool = dedicatedPool(urlForDatabase(connectionString, name), 'public')
      const drop = async (): Promise<void> => {
        shadows.delete(name)
        await shadowPool.end()
        await pool.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`)
      }
      shadows.set(name, drop)
      return adapterOn(shadowPool, 'public', drop)
    },
  }
  const dropShadows = async (): Promise<void> => {
    for (const drop of [...shadows.values()]) await drop()
  }
  return { factory, dropShadows }
}

async function acquireMigrationLock(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await pool.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ])
    if (rows[0]?.locked) return
    if (Date.now() >= deadline) {
      throw new Error(
        `another migration holds the PostgreSQL advisory lock ${MIGRATION_LOCK_KEY} after ${timeoutMs} ms; ` +
          'is a `prisma migrate` or another gateway instance stuck?',
      )
    }
    await sleep(LOCK_POLL_MS)
  }
}

function poolSql(pool: pg.Pool): SqlRunner {
  return {
    query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as Row[],
  }
}

/** For applying migrations: takes the migration lock first, and creates the schema when missing. */
export function postgresMigrationConnection(options: PostgresMigrationOptions): MigrationConnection {
  const { connectionString, schema } = options
  const pool = dedicatedPool(connectionString, schema)
  const { factory, dropShadows } = pgFactory(connectionString, pool, schema)
  return {
    factory,
    sql: poolSql(pool),
    prepare: async () => {
      // Session-level and re-entrant: the engine's own pg_advisory_lock on this connection passes at once.
      await acquireMigrationLock(pool, options.lockTimeoutMs ?? 60_000)
      if (schema !== 'public') await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`)
    },
    close: async () => {
      await dropShadows()
      await pool.end()
    },
  }
}

/** For diffs that replay migrations on the server itself: only shadow databases are written. */
export function postgresShadowConnection(connectionString: string): MigrationConnection {
  const pool = dedicatedPool(connectionString, 'public')
  const { factory, dropShadows } = pgFactory(connectionString, pool, 'public')
  return {
    factory,
    sql: poolSql(pool),
    prepare: async () => {},
    close: async () => {
      await dropShadows()
      await pool.end()
    },
  }
}
