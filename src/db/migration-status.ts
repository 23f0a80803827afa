import { readMigrationsList } from './migrations-dir.js'
import { defaultMigrationsDir } from './project-paths.js'

/** One SQL statement's rows, through the database's own connection (and its search path). */
export type RowsQuery = (sql: string) => Promise<Array<Record<string, unknown>>>

/** How the database stands against the migrations this release ships. */
export interface MigrationStatus {
  /** Shipped migrations the database has not applied, in order. */
  pending: string[]
  /** Migrations that started and neither finished nor were rolled back (a failed `migrate`). */
  failed: string[]
}

const UNDEFINED_TABLE = '42P01'

// Prisma's own bookkeeping table, as `prisma migrate deploy` and src/db/migrations.ts write it.
const APPLIED_SQL = `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
  FROM "_prisma_migrations"`

function isUndefinedTable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === UNDEFINED_TABLE
}

/**
 * Compares the migration directories on disk with `_prisma_migrations`. A database no migration ever
 * touched has no such table: every migration is pending. Throws when the database does not answer.
 */
export async function readMigrationStatus(
  query: RowsQuery,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<MigrationStatus> {
  const shipped = (await readMigrationsList(migrationsDir)).migrationDirectories.map(({ path }) => path)
  let rows: Array<Record<string, unknown>>
  try {
    rows = await query(APPLIED_SQL)
  } catch (error) {
    if (isUndefinedTable(error)) return { pending: shipped, failed: [] }
    throw error
  }
  const applied = new Set(
    rows.filter((row) => row.finished && !row.rolled_back).map((row) => row.migration_name),
  )
  const failed = rows
    .filter((row) => !row.finished && !row.rolled_back)
    .map((row) => String(row.migration_name))
  return { pending: shipped.filter((name) => !applied.has(name)), failed }
}

/** What an operator reads in /health/ready and the start-up log; undefined when nothing is wrong. */
export function describeMigrationStatus({ pending, failed }: MigrationStatus): string | undefined {
  if (failed.length > 0) {
    return `migration ${failed.join(', ')} failed part way: fix the cause, then run \`npm run db:migrate\``
  }
  if (pending.length === 0) return undefined
  const count = pending.length === 1 ? '1 migration' : `${pending.length} migrations`
  return `the database lacks ${count} this release needs (the latest: ${pending.at(-1)}): run \`npm run db:migrate\``
}

/**
 * Says at start-up what /health/ready will say, so an operator who reads the log first learns it
 * there. An unreachable database is left to readiness and to every call, which report it.
 */
export async function logMigrationProblem(
  status: () => Promise<MigrationStatus>,
  log: { error(message: string): void },
): Promise<void> {
  let problem: string | undefined
  try {
    problem = describeMigrationStatus(await status())
  } catch {
    return
  }
  if (problem) log.error(`database not ready (/health/ready answers 503): ${problem}`)
}
