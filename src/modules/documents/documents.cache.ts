import { withRecordCache } from '../../lib/cached-repository.js'
import { RecordCache, type RecordCacheOptions } from '../../lib/record-cache.js'
import type { DocumentRecord, DocumentRepository } from './documents.repository.js'

export type DocumentCache = RecordCache<DocumentRecord>

export function createDocumentCache(options: RecordCacheOptions): DocumentCache {
  return new RecordCache<DocumentRecord>(options)
}

/** The repository whose status read is served from `cache` (src/lib/cached-repository.ts). */
export function withDocumentCache(repository: DocumentRepository, cache: DocumentCache): DocumentRepository {
  // As findVisible's query: its uploader or a signer the gateway knows (any, for operators), and
  // not a failed attempt.
  return withRecordCache(
    repository,
    cache,
    (record, ownerId) =>
      record.submission !== 'failed' &&
      (ownerId === undefined ||
        record.ownerId === ownerId ||
        record.signers.some((signer) => signer.userOwnerId === ownerId)),
  )
}
