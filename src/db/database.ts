import type { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client.js'
import { type MigrationStatus, readMigrationStatus } from './migration-status.js'
import { applyMigrations, type MigrationHook, type MigrationTarget } from './migrations.js'
import { openPglite } from './pglite.js'
import { isNewPgliteDataDir, migratedPgliteTemplate } from './pglite-template.js'
import { postgresPoolConfig } from './postgres-config.js'
import { pgliteRawSql, postgresRawSql, type RawSql } from './raw-sql.js'
import {
  listenOnPglite,
  listenOnPostgres,
  type RecordChangeHandlers,
  type RecordChangeListener,
} from './record-changes.js'
import { assertSchemaName } from './sql-identifier.js'

export interface DatabaseOptions {
  /** PostgreSQL through @prisma/adapter-pg when set. */
  databaseUrl?: string
  /** PGlite otherwise: a directory (created when missing), or 'memory://' for in-memory. */
  pgliteDataDir?: string
  /** PostgreSQL schema (test isolation); default the URL's `?schema=`, else 'public'. PostgreSQL only. */
  schema?: string
  /** PostgreSQL pool size; default 10. */
  poolSize?: number
  /** Errors of idle pooled connections (e.g. a restarted server); queries report their own. */
  onPoolError?: (error: Error) => void
  /** PGlite only: start from a `dumpDataDir()` dump instead of an empty cluster, which skips initdb. */
  pgliteLoadDataDir?: Blob
  /**
   * PGlite only: a data directory that holds no cluster yet starts from a cached dump of a migrated
   * one (see pglite-template.ts) instead of initdb and every migration.
   */
  pgliteStartMigrated?: boolean
  /** Where migrate() reads migrations from; default prisma/migrations. */
  migrationsDir?: string
}

export interface Database {
  prisma: PrismaClient
  /** Repositories' own SQL for the hot reads, past Prisma's query pipeline (raw-sql.ts). */
  raw: RawSql
  kind: 'postgres' | 'pglite'
  /**
   * Applies the committed migrations not yet applied; returns their directory names. `hooks` are the
   * steps SQL cannot do (see data-migrations.ts); without them a migration that needs one refuses.
   */
  migrate(options?: { hooks?: readonly MigrationHook[] }): Promise<{ applied: string[] }>
  /** A cheap `SELECT 1`; throws when the database is unreachable or closed. */
  ping(): Promise<void>
  /** The shipped migrations this database lacks or failed; throws when it is unreachable. */
  migrationStatus(): Promise<MigrationStatus>
  /** PostgreSQL's connection pool, for the metrics; PGlite has none. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number }
  /** Hears every committed change of a registration or document row, from any instance. */
  listenForRecordChanges(handlers: RecordChangeHandlers): Promise<RecordChangeListener>
  /** Disconnects Prisma and closes the pool or PGlite; idempotent. */
  close(): Promise<void>
}

const DEFAULT_POOL_SIZE = 10

function schemaOf(options: DatabaseOptions, databaseUrl: string): string {
  const fromUrl = URL.canParse(databaseUrl) ? new URL(databaseUrl).searchParams.get('schema') : null
  return assertSchemaName(options.schema ?? fromUrl ?? 'public')
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return () => {
    running ??= fn()
    return running
  }
}

/**
 * Migrates only when the status says something is pending or failed: reading `_prisma_migrations` is
 * one query, while loading the schema engine (WebAssembly) to find nothing to do costs a start a second.
 */
function migrateWhenBehind(
  status: () => Promise<MigrationStatus>,
  apply: () => Promise<{ applied: string[] }>,
): Promise<{ applied: string[] }> {
  return status().then(({ pending, failed }) =>
    pending.length === 0 && failed.length === 0 ? { applied: [] } : apply(),
  )
}

function openPostgres(options: DatabaseOptions, databaseUrl: string): Database {
  const schema = schemaOf(options, databaseUrl)
  // Prisma qualifies its own queries with the schema; raw SQL relies on the search path.
  const pool = new pg.Pool({
    ...postgresPoolConfig(databaseUrl, schema),
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
  })
  // Attached here rather than through the adapter, which listens only once Prisma first connects:
  // an unheard 'error' event would crash the process.
  pool.on('error', options.onPoolError ?? (() => {}))
  const adapter = new PrismaPg(pool, { schema })
  const prisma = new PrismaClient({ adapter })
  const target: MigrationTarget = { kind: 'postgres', connectionString: databaseUrl, schema }
  const migrationStatus = () =>
    readMigrationStatus(async (sql) => (await pool.query(sql)).rows, options.migrationsDir)
  return {
    prisma,
    raw: postgresRawSql(pool),
    kind: 'postgres',
    migrate: (migration) =>
      migrateWhenBehind(migrationStatus, () =>
        applyMigrations(target, { migrationsDir: options.migrationsDir }, migration?.hooks),
      ),
    ping: async () => {
      await pool.query('SELECT 1')
    },
    migrationStatus,
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? DEFAULT_POOL_SIZE,
    }),
    listenForRecordChanges: async (handlers) => listenOnPostgres(databaseUrl, schema, handlers),
    close: once(async () => {
      await prisma.$disconnect()
      await pool.end()
    }),
  }
}

/**
 * Prisma on a PGlite still opening: Prisma connects its adapter on the first query, which so waits
 * for the open instead of the Database's creation. The stock factory only keeps its client, so one
 * made on a placeholder lends its provider and name.
 */
function adapterWhenOpen(opening: Promise<PGlite>): SqlDriverAdapterFactory {
  const stock = new PrismaPGlite(undefined as unknown as PGlite)
  return {
    provider: stock.provider,
    adapterName: stock.adapterName,
    connect: async () => new PrismaPGlite(await opening).connect(),
  }
}

function pgliteDatabase(opening: Promise<PGlite>, options: DatabaseOptions): Database {
  const prisma = new PrismaClient({ adapter: adapterWhenOpen(opening) })
  const migrationStatus = async () => {
    const pglite = await opening
    return readMigrationStatus(
      async (sql) => (await pglite.query<Record<string, unknown>>(sql)).rows,
      options.migrationsDir,
    )
  }
  return {
    prisma,
    raw: pgliteRawSql(opening),
    kind: 'pglite',
    migrate: (migration) =>
      migrateWhenBehind(migrationStatus, async () =>
        applyMigrations(
          { kind: 'pglite', pglite: await opening },
          { migrationsDir: options.migrationsDir },
          migration?.hooks,
        ),
      ),
    listenForRecordChanges: async (handlers) => listenOnPglite(await opening, handlers),
    ping: async () => {
      await (await opening).query('SELECT 1')
    },
    migrationStatus,
    // PGlite keeps the event loop alive until closed; one that failed to open has nothing to close.
    close: once(async () => {
      await prisma.$disconnect()
      await (await opening.catch(() => undefined))?.close()
    }),
  }
}

async function openPgliteAt(dataDir: string, options: DatabaseOptions): Promise<PGlite> {
  const template =
    options.pgliteStartMigrated && isNewPgliteDataDir(dataDir)
      ? await migratedPgliteTemplate(options.migrationsDir)
      : undefined
  return openPglite(dataDir, { loadDataDir: options.pgliteLoadDataDir ?? template })
}

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite at `pgliteDataDir`. Does not migrate. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { database, opened } = openDatabaseInBackground(options)
  await opened
  return database
}

/**
 * The Database at once, while PGlite opens in the background (seconds; a new data directory more):
 * its queries wait for `opened`, which rejects when the open fails. PostgreSQL opens lazily anyway.
 */
export function openDatabaseInBackground(options: DatabaseOptions): {
  database: Database
  opened: Promise<void>
} {
  if (options.databaseUrl) {
    return { database: openPostgres(options, options.databaseUrl), opened: Promise.resolve() }
  }
  if (!options.pgliteDataDir) throw new Error('openDatabase needs databaseUrl or pgliteDataDir')
  const opening = openPgliteAt(options.pgliteDataDir, options)
  // Whoever waits on `opened` hears a failure; the copies inside the Database must not also be unhandled.
  opening.catch(() => undefined)
  return { database: pgliteDatabase(opening, options), opened: opening.then(() => undefined) }
}
