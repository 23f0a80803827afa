import type { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client.js'
import { type MigrationStatus, readMigrationStatus } from './migration-status.js'
import { applyMigrations, type MigrationHook, type MigrationTarget } from './migrations.js'
import { openPglite } from './pglite.js'
import { postgresPoolConfig } from './postgres-config.js'
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
  /** Where migrate() reads migrations from; default prisma/migrations. */
  migrationsDir?: string
}

export interface Database {
  prisma: PrismaClient
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
  return {
    prisma,
    kind: 'postgres',
    migrate: (migration) =>
      applyMigrations(target, { migrationsDir: options.migrationsDir }, migration?.hooks),
    ping: async () => {
      await pool.query('SELECT 1')
    },
    migrationStatus: () =>
      readMigrationStatus(async (sql) => (await pool.query(sql)).rows, options.migrationsDir),
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

function pgliteDatabase(pglite: PGlite, options: DatabaseOptions): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) })
  return {
    prisma,
    kind: 'pglite',
    migrate: (migration) =>
      applyMigrations({ kind: 'pglite', pglite }, { migrationsDir: options.migrationsDir }, migration?.hooks),
    ping: async () => {
      await pglite.query('SELECT 1')
    },
    migrationStatus: () =>
      readMigrationStatus(
        async (sql) => (await pglite.query<Record<string, unknown>>(sql)).rows,
        options.migrationsDir,
      ),
    listenForRecordChanges: (handlers) => listenOnPglite(pglite, handlers),
    // PGlite keeps the event loop alive until closed.
    close: once(async () => {
      await prisma.$disconnect()
      await pglite.close()
    }),
  }
}

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite at `pgliteDataDir`. Does not migrate. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options, options.databaseUrl)
  if (!options.pgliteDataDir) throw new Error('openDatabase needs databaseUrl or pgliteDataDir')
  const pglite = await openPglite(options.pgliteDataDir, { loadDataDir: options.pgliteLoadDataDir })
  return pgliteDatabase(pglite, options)
}
