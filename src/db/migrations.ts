import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg'
import type { MigrationConnection, SqlRunner } from './migration-connection.js'
import { LOCKFILE_CONTENT, LOCKFILE_NAME, MIGRATION_FILE_NAME, readMigrationsList } from './migrations-dir.js'
import { pgliteMigrationConnection, scratchMigrationConnection } from './pglite-migration-connection.js'
import { postgresMigrationConnection, postgresShadowConnection } from './postgres-migration-connection.js'
import { defaultMigrationsDir, defaultSchemaPath } from './project-paths.js'
import { NO_EXTERNAL_ENTITIES, type SchemaFile, withSchemaEngine } from './schema-engine.js'

/** Where the migrations and the schema live; default prisma/ of the project. */
export interface MigrationFiles {
  migrationsDir?: string
  schemaPath?: string
}

export type MigrationTarget =
  | {
      kind: 'postgres'
      connectionString: string
      /** Default 'public'; created when missing. */
      schema?: string
      /** How long to wait for another instance's migration; default 60 s. */
      lockTimeoutMs?: number
    }
  | { kind: 'pglite'; pglite: PGlite }

export interface ShadowOptions {
  /**
   * Replay the migrations in a temporary database on this PostgreSQL server (needs CREATEDB)
   * instead of an in-memory PGlite.
   */
  shadowDatabaseUrl?: string
}

async function withConnection<T>(
  connection: MigrationConnection,
  work: (connection: MigrationConnection) => Promise<T>,
): Promise<T> {
  try {
    await connection.prepare()
    return await work(connection)
  } finally {
    await connection.close()
  }
}

/**
 * A step of a migration that SQL cannot do (encrypting with a key from the configuration): it runs,
 * once, right before the migration `before` is applied, with every earlier migration applied first.
 * `before` must check that the step was done, so a tool that skips hooks (`prisma migrate deploy`)
 * stops there instead of losing data. Such a stop leaves `before` recorded as failed, with nothing of
 * it applied (a migration is one transaction): the next run here marks it rolled back, as
 * `prisma migrate resolve --rolled-back` would, runs the hook and applies it.
 */
export interface MigrationHook {
  before: string
  run(sql: SqlRunner): Promise<void>
}

/**
 * Applies the committed migrations the database lacks and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does, running each hook right before its migration. Idempotent;
 * on PostgreSQL concurrent callers wait for each other on the advisory lock `prisma migrate` uses.
 */
export async function applyMigrations(
  target: MigrationTarget,
  files: MigrationFiles = {},
  hooks: readonly MigrationHook[] = [],
): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrationsList(files.migrationsDir ?? defaultMigrationsDir())
  const connection =
    target.kind === 'postgres'
      ? postgresMigrationConnection({
          connectionString: target.connectionString,
          schema: target.schema ?? 'public',
          lockTimeoutMs: target.lockTimeoutMs,
        })
      : pgliteMigrationConnection(target.pglite)
  const apply = async (factory: MigrationConnection['factory'], list: MigrationList) =>
    (
      await withSchemaEngine(factory, undefined, (engine) =>
        engine.applyMigrations({ migrationsList: list, filters: NO_EXTERNAL_ENTITIES }),
      )
    ).appliedMigrationNames
  const applied = await withConnection(connection, async ({ factory, sql }) => {
    const names: string[] = []
    // A database no migration has touched holds no data for a hook to move: one pass does it all.
    const fresh = !(await migrationsTableExists(sql))
    for (const hook of fresh ? [] : hooks) {
      const at = migrationsList.migrationDirectories.findIndex((directory) => directory.path === hook.before)
      if (at < 0) continue
      const state = await migrationState(sql, hook.before)
      if (state === 'applied') continue
      if (state === 'failed') await markRolledBack(sql, hook.before)
      const earlier = {
        ...migrationsList,
        migrationDirectories: migrationsList.migrationDirectories.slice(0, at),
      }
      names.push(...(await apply(factory, earlier)))
      await hook.run(sql)
    }
    names.push(...(await apply(factory, migrationsList)))
    return names
  })
  return { applied }
}

async function migrationsTableExists(sql: SqlRunner): Promise<boolean> {
  const [table] = await sql.query<{ present: boolean }>(
    "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
  )
  return table?.present === true
}

/** Whether migration `name` is applied, failed (started, not finished, not rolled back), or neither. */
async function migrationState(sql: SqlRunner, name: string): Promise<'applied' | 'failed' | 'absent'> {
  const rows = await sql.query<{ finished: boolean }>(
    `SELECT finished_at IS NOT NULL AS finished FROM _prisma_migrations
     WHERE migration_name = $1 AND rolled_back_at IS NULL`,
    [name],
  )
  if (rows.some((row) => row.finished)) return 'applied'
  return rows.length > 0 ? 'failed' : 'absent'
}

async function markRolledBack(sql: SqlRunner, name: string): Promise<void> {
  await sql.query(
    `UPDATE _prisma_migrations SET rolled_back_at = now()
     WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
    [name],
  )
}

export interface DiffOptions extends MigrationFiles, ShadowOptions {
  /** A datamodel to compare against instead of the schema file's content. */
  datamodel?: string
}

async function loadSchema(options: DiffOptions): Promise<SchemaFile> {
  const path = options.schemaPath ?? defaultSchemaPath()
  return { path, content: options.datamodel ?? (await readFile(path, 'utf8')) }
}

/**
 * The SQL that takes a database built from the committed migrations to schema.prisma; '' when they
 * agree. Read-only: the migrations are replayed in a throw-away shadow database.
 */
export async function diffSchemaAgainstMigrations(options: DiffOptions = {}): Promise<string> {
  const schema = await loadSchema(options)
  const migrationsList = await readMigrationsList(options.migrationsDir ?? defaultMigrationsDir())
  const connection = options.shadowDatabaseUrl
    ? postgresShadowConnection(options.shadowDatabaseUrl)
    : await scratchMigrationConnection()
  const result = await withConnection(connection, ({ factory }) =>
    withSchemaEngine(factory, schema, (engine) =>
      engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        // Asked for so that "no change" is a code, not the comment the script then consists of.
        exitCode: true,
        filters: NO_EXTERNAL_ENTITIES,
      }),
    ),
  )
  return result.exitCode === 0 ? '' : (result.stdout ?? '')
}

export interface CreatedMigration {
  /** The directory name, `<YYYYMMDDHHMMSS>_<name>`. */
  name: string
  /** Absolute path of the new migration.sql. */
  path: string
  sql: string
}

export interface CreateMigrationOptions extends DiffOptions {
  /** The migration's timestamp; default now. */
  now?: Date
}

function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  if (slug === '') throw new Error(`migration name ${JSON.stringify(name)} has no letters or digits`)
  return slug
}

/** Prisma's directory prefix: the UTC time to the second. */
function migrationTimestamp(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14)
}

async function ensureLockfile(migrationsDir: string): Promise<void> {
  await writeFile(join(migrationsDir, LOCKFILE_NAME), LOCKFILE_CONTENT, { flag: 'wx' }).catch(
    (error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error
    },
  )
}

/**
 * The offline `prisma migrate dev --create-only`: writes the diff from the committed migrations to
 * schema.prisma as a new migration, plus migration_lock.toml when absent. Returns null, writing
 * nothing, when there is no difference.
 */
export async function createMigration(
  name: string,
  options: CreateMigrationOptions = {},
): Promise<CreatedMigration | null> {
  const slug = migrationSlug(name)
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir()
  const sql = await diffSchemaAgainstMigrations({ ...options, migrationsDir })
  if (sql === '') return null
  const directory = `${migrationTimestamp(options.now ?? new Date())}_${slug}`
  await mkdir(join(migrationsDir, directory), { recursive: true })
  await ensureLockfile(migrationsDir)
  const path = join(migrationsDir, directory, MIGRATION_FILE_NAME)
  // 'wx': never overwrite a migration that may already be applied somewhere.
  await writeFile(path, sql, { flag: 'wx' })
  return { name: directory, path, sql }
}
