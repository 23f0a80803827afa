import type pg from 'pg'

/**
 * Pool settings for `connectionString` with `schema` first on the search path. Set as a startup
 * parameter rather than by a query on connect, which pg would have to queue behind the caller's
 * first query (deprecated in pg 8, removed in 9). A connection string's own `options` would replace
 * ours, so they are merged.
 */
export function postgresPoolConfig(connectionString: string, schema: string): pg.PoolConfig {
  if (schema === 'public') return { connectionString }
  const searchPath = `-c search_path=${schema}`
  if (!URL.canParse(connectionString)) return { connectionString, options: searchPath }
  const url = new URL(connectionString)
  const existing = url.searchParams.get('options')
  url.searchParams.delete('options')
  return { connectionString: url.toString(), options: existing ? `${existing} ${searchPath}` : searchPath }
}
