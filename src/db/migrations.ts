import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { MigrationConnection } from './migration-connection.js'
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
 * Applies the committed migrations the database lacks and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does. Idempotent; on PostgreSQL concurrent callers wait for each
 * other on the advisory lock `prisma migrate` uses.
 */
export async function applyMigrations(
  target: MigrationTarget,
  files: MigrationFiles = {},
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
  const output = await withConnection(connection, ({ factory }) =>
    withSchemaEngine(factory, undefined, (engine) =>
      engine.applyMigrations({ migrationsList, filters: NO_EXTERNAL_ENTITIES }),
    ),
  )
  return { applied: output.appliedMigrationNames }
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
