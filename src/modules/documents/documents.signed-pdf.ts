import { AppError } from '../../errors/app-error.js'
import { rethrowAsAppError } from '../../errors/upstream-failure/index.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { signedDocument } from '../../privy/index.js'
import { confirmedDocument } from './documents.access.js'
import type { DocumentRecord } from './documents.repository.js'
import type { DocumentLifecycleDeps } from './documents.revoke.js'

/** The signed PDF of a completed document (docs/privy-contract.md §5.3). */
export function createSignedPdf(deps: DocumentLifecycleDeps) {
  const { documents, privy, sync, store } = deps

  const visible = async (principal: Principal, id: string) =>
    confirmedDocument(
      await documents.findVisible(id, ownerScope(principal).ownerId),
      deps.now(),
      deps.inFlightBudgetMs,
    )

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

  return { signedPdf }
}

function fileName(record: DocumentRecord): string {
  return `${record.referenceNumber}-signed.pdf`
}
