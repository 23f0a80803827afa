/**
 * Whether an error means "the database is not there right now" (unreachable, restarting, the
 * connection died) rather than "this query is wrong". The first is answered 503 with Retry-After:
 * the same request may well succeed in a moment. Shapes seen from Prisma 7 with its driver adapters:
 *
 * - a Prisma known-request error with a connection code: P1001 (DatabaseNotReachable: refused,
 *   unknown host), P1002, P1008 (SocketTimeout), P1017 (ConnectionClosed: reset), P2024 (pool);
 * - P2010 (raw) or P2039 (model query) whose `meta.driverAdapterError.cause` is a PostgreSQL error
 *   with a connection SQLSTATE: 08xxx, 57P01 admin_shutdown (pg_terminate_backend, a restart), ...;
 * - pg's own errors, passed through unwrapped with no code: "Connection terminated unexpectedly" (the
 *   server went away mid-query), "Cannot use a pool after calling end on the pool" (closing);
 * - Node socket errors (ECONNREFUSED, ECONNRESET, ...) from a pool connect;
 * - PGlite: "PGlite is closed".
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error
  // Wrappers keep the original as `cause`; a few levels are enough and a cycle cannot loop.
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (describesUnavailable(current)) return true
    current = current.cause
  }
  return false
}

const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024'])

/** `kind` of a driver adapter error (@prisma/driver-adapter-utils) that means the connection is gone. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * SQLSTATEs of a server that cannot serve this session: connection exceptions (class 08), the
 * server shutting down or not accepting yet (57P01-57P03), no connection slot left (53300).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
}

/** Messages of errors that carry no code: pg and pg-pool's own, and PGlite's. */
const MESSAGES =
  /Connection terminated|Can't reach database server|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|Server has closed the connection|[Cc]onnection is closed|PGlite is closed/

function describesUnavailable(error: Error): boolean {
  const { code, meta, severity } = error as { code?: unknown; meta?: unknown; severity?: unknown }
  if (typeof code === 'string') {
    if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code)) return true
    // pg's DatabaseError carries the SQLSTATE as its code, with a severity.
    if (typeof severity === 'string' && isUnavailableSqlState(code)) return true
  }
  if (error.name === 'DriverAdapterError' && adapterCauseIsUnavailable(error.cause)) return true
  if (meta && typeof meta === 'object' && 'driverAdapterError' in meta) {
    const adapterError = (meta as { driverAdapterError?: { cause?: unknown } }).driverAdapterError
    if (adapterCauseIsUnavailable(adapterError?.cause)) return true
  }
  return MESSAGES.test(error.message)
}

function adapterCauseIsUnavailable(cause: unknown): boolean {
  if (!cause || typeof cause !== 'object') return false
  const { kind, code } = cause as { kind?: unknown; code?: unknown }
  if (typeof kind !== 'string') return false
  if (ADAPTER_KINDS.has(kind)) return true
  return kind === 'postgres' && typeof code === 'string' && isUnavailableSqlState(code)
}

/** Seconds a client is asked to wait before retrying a request the database could not serve. */
export const DATABASE_RETRY_AFTER_SECONDS = 5
