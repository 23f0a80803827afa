import { notFound } from '../../errors/app-error.js'
import { rethrowAsAppError } from '../../errors/upstream-failure/index.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { PrivyClient } from '../../privy/index.js'
import type { DocumentRepository } from './documents.repository.js'

/** A document's history: Privy's signer history merged with the gateway's own events, oldest first. */
export function createDocumentHistory(deps: { documents: DocumentRepository; privy: PrivyClient }) {
  const { documents, privy } = deps

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
        actor: event.actor,
      })),
      ...upstream.document.signers.flatMap((signer) =>
        signer.histories
          .filter((entry) => !Number.isNaN(Date.parse(entry.created_at)))
          .map((entry) => ({
            at: new Date(entry.created_at).toISOString(),
            source: 'privy' as const,
            privy_id: signer.privy_id,
            description: entry.description,
            actor: null,
          })),
      ),
    ].sort((a, b) => a.at.localeCompare(b.at) || a.source.localeCompare(b.source))
    return { document_id: record.id, events }
  }

  return { history }
}
