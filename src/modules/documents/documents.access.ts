import { notFound } from '../../errors/app-error.js'
import { outcomeNotSettled } from '../../lib/late-answer.js'
import type { DocumentRecord } from './documents.types.js'

/**
 * A document the caller may see, confirmed by Privy. One whose upload Privy has not confirmed reads
 * as pending, so acting on it answers that it is pending, never "not found".
 */
export function confirmedDocument(
  record: DocumentRecord | null,
  now: Date,
  inFlightBudgetMs: number,
): DocumentRecord {
  if (!record) throw notFound('Document')
  if (record.submission !== 'submitted' || !record.documentToken) {
    throw outcomeNotSettled('document', record, now, inFlightBudgetMs)
  }
  return record
}
