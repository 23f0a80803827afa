import { AppError, notFound } from '../../errors/app-error.js'
import {
  asAppError,
  operationPending,
  outcomeUnknown,
  rethrowAsAppError,
} from '../../errors/upstream-failure.js'
import { isAwaitingAnswer as awaiting, lateAnswerDeadline, outcomeNotSettled } from '../../lib/late-answer.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { PdfPool } from '../../pdf-worker/pool.js'
import { PrivyApiError, type PrivyClient, PrivyError, signedDocument } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
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

/** Revoke, history and the signed PDF: what happens to a document after its upload. */
export function createDocumentLifecycle(deps: DocumentLifecycleDeps) {
  const { documents, privy, sync, store } = deps

  /**
   * A document the caller may see, confirmed by Privy. One whose upload Privy has not confirmed reads
   * as pending, so acting on it answers that it is pending, never "not found".
   */
  async function visible(principal: Principal, id: string): Promise<DocumentRecord> {
    return confirmed(await documents.findVisible(id, ownerScope(principal).ownerId))
  }

  function confirmed(record: DocumentRecord | null): DocumentRecord {
    if (!record) throw notFound('Document')
    if (record.submission !== 'submitted' || !record.documentToken) {
      throw outcomeNotSettled('document', record, deps.now(), deps.inFlightBudgetMs)
    }
    return record
  }

  async function revoke(principal: Principal, id: string, claim?: IdempotencyClaim): Promise<DocumentView> {
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
      await documents.addEvent(record.id, 'revoked', "Revoked at the merchant's request")
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
      if (error instanceof PrivyApiError && error.status === 422 && !error.bodyUnreadable) {
        throw new AppError('DOCUMENT_NOT_REVOCABLE', {
          detail: 'Privy refused: every signer has signed, or it is already closed',
        })
      }
      throw asAppError(error)
    }
    return toDocumentView(await markRevoked())
  }

  /** A retry under the Idempotency-Key of a revoke whose outcome was unknown. */
  async function resumeRevoke(
    principal: Principal,
    id: string,
    claim: IdempotencyClaim,
  ): Promise<DocumentView> {
    const owned = confirmed(await documents.findOwned(id, ownerScope(principal).ownerId))
    if (isAwaitingAnswer(owned)) throw revokePending(id)
    const record = await sync.refreshIfDue(owned, true)
    if (record.status === 'revoked') return toDocumentView(record)
    return revoke(principal, id, claim)
  }

  // A revoke is on a submitted row: only its late-answer window counts (no in-flight budget).
  const isAwaitingAnswer = (record: DocumentRecord) => awaiting(record, deps.now(), 0)

  async function history(principal: Principal, id: string) {
    const record = await documents.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Document')
    // Before Privy confirmed the upload, its history is the gateway's own.
    const token = record.submission === 'submitted' ? record.documentToken : null
    const [upstream, own] = await Promise.all([
      token
        ? privy.documents
            .history({ reference_number: record.referenceNumber, document_token: token })
            .catch(rethrowAsAppError)
        : { document: { signers: [] } },
      documents.events(record.id),
    ])
    const events = [
      ...own.map((event) => ({
        at: event.createdAt.toISOString(),
        source: 'gateway' as const,
        privy_id: null,
        description: event.detail,
      })),
      ...upstream.document.signers.flatMap((signer) =>
        signer.histories
          .filter((entry) => !Number.isNaN(Date.parse(entry.created_at)))
          .map((entry) => ({
            at: new Date(entry.created_at).toISOString(),
            source: 'privy' as const,
            privy_id: signer.privy_id,
            description: entry.description,
          })),
      ),
    ].sort((a, b) => a.at.localeCompare(b.at) || a.source.localeCompare(b.source))
    return { document_id: record.id, events }
  }

  /** The signed PDF: fetched from Privy once, checked, kept by its SHA-256, then served from the store. */
  async function signedPdf(principal: Principal, id: string) {
    let record = await visible(principal, id)
    if (record.status !== 'completed') record = await sync.refreshIfDue(record, true)
    if (record.status !== 'completed') {
      throw new AppError('SIGNED_PDF_NOT_READY', {
        detail: `The document is ${record.status}; the signed PDF exists once it is completed`,
        extensions: { document_status: record.status },
      })
    }
    if (record.signedSha256) {
      const stored = await store.open(record.signedSha256)
      if (stored) return { ...stored, filename: fileName(record) }
    }
    const status = await privy.documents
      .status({ reference_number: record.referenceNumber, document_token: record.documentToken ?? '' })
      .catch(rethrowAsAppError)
    let bytes: Buffer | undefined
    try {
      bytes = signedDocument(status)
    } catch {
      bytes = undefined
    }
    if (!bytes) throw new AppError('UPSTREAM_ERROR', { detail: 'Privy did not return the signed PDF' })
    await deps.pdf.inspect(bytes).catch((error: unknown) => {
      // A busy or closing pool is the gateway's state, not Privy's fault: its 503 goes out as it is.
      if (error instanceof AppError && error.status === 503) throw error
      throw new AppError('UPSTREAM_ERROR', {
        detail: 'Privy returned a signed document that is not a readable PDF',
      })
    })
    const sha256 = await store.put(bytes)
    await documents.recordSignedPdf(record.id, sha256)
    const stored = await store.open(sha256)
    if (!stored) throw new AppError('INTERNAL', { detail: 'The signed PDF could not be read back' })
    return { ...stored, filename: fileName(record) }
  }

  return { revoke, resumeRevoke, history, signedPdf }
}

export type DocumentLifecycle = ReturnType<typeof createDocumentLifecycle>

function fileName(record: DocumentRecord): string {
  return `${record.referenceNumber}-signed.pdf`
}
