import { withRecordCache } from '../../lib/cached-repository.js'
import { RecordCache, type RecordCacheOptions } from '../../lib/record-cache.js'
import type { RegistrationRecord, RegistrationRepository } from './registration.repository.js'

export type RegistrationCache = RecordCache<RegistrationRecord>

export function createRegistrationCache(options: RecordCacheOptions): RegistrationCache {
  return new RecordCache<RegistrationRecord>(options)
}

/** The repository whose status read is served from `cache` (src/lib/cached-repository.ts). */
export function withRegistrationCache(
  repository: RegistrationRepository,
  cache: RegistrationCache,
): RegistrationRepository {
  // As findVisible's query: the caller's own (any, for operators), and not a failed attempt.
  return withRecordCache(
    repository,
    cache,
    (record, ownerId) =>
      record.submission !== 'failed' && (ownerId === undefined || record.ownerId === ownerId),
  )
}
