import type { RecordCache } from './record-cache.js'

/**
 * Methods that change nothing a status read serves. `lease…` only sets `work_locked_until` (the
 * poller's claim, src/db/work-lease.ts), which no read uses; the rows it leases are still announced.
 */
const READ_PREFIXES = ['find', 'list', 'has', 'events', 'signerSeats', 'lease']

const isRead = (name: string) => READ_PREFIXES.some((prefix) => name.startsWith(prefix))

/**
 * `repository` with `findVisible` (the status read) served from `cache` when it holds the row, and
 * every write evicting what it may change: the row it names (an id, or a record with one), else all.
 * Evicted before the write (a read meanwhile does not put the old row back: RecordCache.begin) and
 * after it. The row is read without the caller, so it serves every caller, and `visible` checks the
 * caller on it as the query would have; it is frozen, as concurrent requests share it.
 */
export function withRecordCache<
  Row extends { id: string },
  Repository extends { findVisible(id: string, ownerId?: string): Promise<Row | null> },
>(
  repository: Repository,
  cache: RecordCache<Row>,
  visible: (row: Row, ownerId: string | undefined) => boolean,
): Repository {
  const evictFor = (args: unknown[]) => {
    const [first] = args
    if (typeof first === 'string') cache.evict(first)
    else if (first && typeof first === 'object' && typeof (first as { id?: unknown }).id === 'string')
      cache.evict((first as { id: string }).id)
    else cache.clear()
  }
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(repository)) {
    if (typeof method !== 'function' || isRead(name)) {
      wrapped[name] = method
      continue
    }
    wrapped[name] = async (...args: unknown[]) => {
      evictFor(args)
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>)(...args)
      } finally {
        evictFor(args)
      }
    }
  }
  const findVisible = async (id: string, ownerId?: string): Promise<Row | null> => {
    if (!cache.active) return repository.findVisible(id, ownerId)
    const cached = cache.get(id)
    if (cached) return visible(cached, ownerId) ? cached : null
    const token = cache.begin()
    const row = await repository.findVisible(id)
    if (!row) return null
    Object.freeze(row)
    cache.set(id, row, token)
    return visible(row, ownerId) ? row : null
  }
  return { ...(wrapped as Repository), findVisible }
}
