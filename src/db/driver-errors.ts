import { DriverAdapterError } from '@prisma/driver-adapter-utils'

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * Wraps a PostgreSQL server error (from `pg` or PGlite, which share the field names) the way the
 * official adapters do, so the schema engine reports the server's message and SQLSTATE instead of
 * an opaque "external connector error".
 */
export function toDriverAdapterError(error: unknown): unknown {
  if (!(error instanceof Error) || !('code' in error) || !('severity' in error)) return error
  if (typeof error.code !== 'string') return error
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code,
    severity: String(error.severity),
    message: error.message,
    detail: 'detail' in error ? optionalString(error.detail) : undefined,
    column: 'column' in error ? optionalString(error.column) : undefined,
    hint: 'hint' in error ? optionalString(error.hint) : undefined,
  })
}
