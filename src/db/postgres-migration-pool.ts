import pg from 'pg'
import { postgresPoolConfig } from './postgres-config.js'

const CHAR_OID = 18
const TEXT_OID = 25

/**
 * @prisma/adapter-pg has no mapping for the one-byte `"char"` type, which the engine's catalogue
 * queries return (pg_constraint.contype and others), so every command that describes a schema (diff,
 * drift checks) fails with "Column type 'char' could not be deserialized". Reported as text, which the
 * engine accepts. Only this private pool is patched, and only the promise form the adapter and this
 * module use.
 */
function reportCharColumnsAsText(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (
    config: string | pg.QueryConfig,
    values?: unknown[],
  ) => Promise<pg.QueryResult>
  Object.assign(pool, {
    query: async (config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> => {
      const result = await query(config, values)
      for (const field of result.fields ?? []) {
        if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID
      }
      return result
    },
  })
}

/**
 * One connection that never idles out. The engine takes a session-level advisory lock and never
 * releases it, trusting the connection to end with the command: on a shared pool it would stay held
 * for the life of the process and block every other instance.
 */
export function dedicatedPool(connectionString: string, schema: string): pg.Pool {
  // The engine's migration SQL is unqualified: the search path decides where it lands.
  const pool = new pg.Pool({ ...postgresPoolConfig(connectionString, schema), max: 1, idleTimeoutMillis: 0 })
  reportCharColumnsAsText(pool)
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  return pool
}

export function urlForDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString)
  url.pathname = `/${encodeURIComponent(database)}`
  return url.toString()
}
