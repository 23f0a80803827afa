import { RecordCache, type RecordCacheOptions } from '../../lib/record-cache.js'
import type { RegistrationRecord, RegistrationRepository } from './registration.repository.js'

/** Methods that only read: everything else the repository does is a write and evicts. */
const READS = new Set<string>([
  'findVisible',
  'findById',
  'findByReference',
  'findVerifiedSigner',
  'listVisible',
])
const READ_PREFIXES = ['find', 'list', 'has']

const isRead = (name: string) => READS.has(name) || READ_PREFIXES.some((prefix) => name.startsWith(prefix))

/**
 * The repository with `findVisible` (the status read) served from `cache` when it holds the row, and
 * every write evicting what it may change: the row it names (an id, or a record with one), else all.
 * Evicted before the write (a read meanwhile does not put the old row back: RecordCache.begin) and
 * after it. The owner and the submission are checked on the cached row as the query checks them.
 */
export function withRegistrationCache(
  repository: RegistrationRepository,
  cache: RecordCache<RegistrationRecord>,
): RegistrationRepository {
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
  const findVisible = async (id: string, ownerId?: string): Promise<RegistrationRecord | null> => {
    if (!cache.active) return repository.findVisible(id, ownerId)
    const cached = cache.get(id)
    if (cached) return visible(cached, ownerId) ? cached : null
    const token = cache.begin()
    // Read without the owner, so the row serves every caller; the owner is checked below, as the
    // query would check it.
    const record = await repository.findVisible(id)
    if (!record) return null
    // Shared by concurrent requests from now on: a service that changed it in place would throw.
    Object.freeze(record)
    cache.set(id, record, token)
    return visible(record, ownerId) ? record : null
  }
  return { ...(wrapped as RegistrationRepository), findVisible }
}

function visible(record: RegistrationRecord, ownerId: string | undefined): boolean {
  return record.submission !== 'failed' && (ownerId === undefined || record.ownerId === ownerId)
}

export type RegistrationCache = RecordCache<RegistrationRecord>

export function createRegistrationCache(options: RecordCacheOptions): RegistrationCache {
  return new RecordCache<RegistrationRecord>(options)
}
