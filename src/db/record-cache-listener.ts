import type { Database } from './database.js'
import type { RecordChange } from './record-changes.js'

/** What a record cache must offer to be kept current (src/lib/record-cache.ts). */
export interface EvictableCache {
  evict(id: string): void
  setActive(active: boolean): void
}

/**
 * Keeps the record caches of one gateway instance current: each committed change of a row (by this
 * instance or another) evicts it from the cache of its table, and while changes may be missed the
 * caches are off and empty. Returns the closer.
 */
export async function keepRecordCachesCurrent(
  database: Database,
  caches: Partial<Record<'registrations' | 'documents', EvictableCache>>,
): Promise<() => Promise<void>> {
  const all = Object.values(caches)
  const listener = await database.listenForRecordChanges({
    changed: (change: RecordChange) => caches[change.table as keyof typeof caches]?.evict(change.id),
    listening: (listening) => {
      for (const cache of all) cache.setActive(listening)
    },
  })
  return () => listener.close()
}
