import { AppError } from '../../errors/app-error.js'
import { operationPending, outcomeUnknown, revokeRefusal } from '../../errors/upstream-failure/index.js'
import { isAwaitingAnswer as awaiting, lateAnswerDeadline } from '../../lib/late-answer.js'
import { ownerIdFor, ownerScope, type Principal } from '../../lib/principal.js'
import type { PdfPool } from '../../pdf-worker/pool.js'
import { type PrivyClient, PrivyError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { confirmedDocument } from './documents.access.js'
import type { DocumentRecord, DocumentRepository } from './documents.repository.js'
import type { DocumentView } from './documents.schemas.js'
import type { DocumentSync } from './documents.sync.js'
import { toDocumentView } from './documents.view.js'
import type { SignedPdfStore } from './signed-pdf-store.js'

export interface DocumentLifecycleDeps {
  documents: DocumentRepository
  privy: PrivyClient
  sync: DocumentSync
  store: SignedPdfStore
  /** Reads PDFs in worker threads (src/pdf-worker/): never on the event loop. */
  pdf: Pick<PdfPool, 'inspect'>
  now: () => Date
  /** How long a late answer from Privy is waited for (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A row still `in_flight` after this long lost its request. */
  inFlightBudgetMs: number
}

const revokePending = (id: string) =>
  operationPending(
    'document',
    id,
    `Privy has not yet answered the last revoke of document ${id}; retry shortly`,
    {
      follow: false,
    },
  )

/** Revoking a document while not every signer has signed (docs/privy-contract.md §5.5). */
export function createDocumentRevoke(deps: DocumentLifecycleDeps) {
  const { documents, privy, sync } = deps

  const confirmed = (record: DocumentRecord | null) =>
    confirmedDocument(record, deps.now(), deps.inFlightBudgetMs)

  async function revoke(
    principal: Principal,
    id: string,
    reason: string | undefined,
    claim?: IdempotencyClaim,
  ): Promise<DocumentView> {
    const owned = confirmed(await documents.findOwned(id, ownerScope(principal).ownerId))
    if (isAwaitingAnswer(owned)) throw revokePending(id)
    const record = await sync.refreshIfDue(owned, true).catch(() => owned)
    const everyoneSigned = record.signers
      .filter((s) => s.role === 'signer')
      .every((s) => s.status === 'signed')
    if (record.status !== 'uploaded' || (record.signers.length > 0 && everyoneSigned)) {
      throw new AppError('DOCUMENT_NOT_REVOCABLE', {
        detail: `The document is ${record.status}${everyoneSigned ? ' and every signer has signed' : ''}; it can no longer be revoked`,
        extensions: { document_status: record.status },
      })
    }
    await claim?.bind(id)
    const markRevoked = async () => {
      const revoked = await sync.apply(record, { status: 'revoked' })
      // The reason and who gave it stay in the history (an operator's key id or the user's sub).
      const detail = reason ? `Revoked: ${reason}` : "Revoked at the merchant's request"
      await documents.addEvent(record.id, 'revoked', detail, ownerIdFor(principal))
      return revoked
    }
    try {
      await privy.documents.revoke(
        { reference_number: record.referenceNumber, document_token: record.documentToken ?? '' },
        {
          onLateAnswer: async (late) => {
            if (late.ok) await markRevoked()
            await documents.awaitLateAnswer(record.id, null)
          },
        },
      )
    } catch (error) {
      if (error instanceof PrivyError && error.outcome === 'unknown') {
        await documents.awaitLateAnswer(record.id, lateAnswerDeadline(error, deps.now(), deps.lateAnswerMs))
        throw outcomeUnknown(error, 'document', record.id)
      }
      throw revokeRefusal(error)
    }
    return toDocumentView(await markRevoked())
  }

  /** A retry under the Idempotency-Key of a revoke whose outcome was unknown. */
  async function resumeRevoke(
    principal: Principal,
    id: string,
    reason: string | undefined,
    claim: IdempotencyClaim,
  ): Promise<DocumentView> {
    const owned = confirmed(await documents.findOwned(id, ownerScope(principal).ownerId))
    if (isAwaitingAnswer(owned)) throw revokePending(id)
    const record = await sync.refreshIfDue(owned, true)
    if (record.status === 'revoked') return toDocumentView(record)
    return revoke(principal, id, reason, claim)
  }

  // A revoke is on a submitted row: only its late-answer window counts (no in-flight budget).
  const isAwaitingAnswer = (record: DocumentRecord) => awaiting(record, deps.now(), 0)

  return { revoke, resumeRevoke }
}
