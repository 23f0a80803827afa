import type { WebhookEventInput } from '../webhooks/index.js'
import type { DocumentRecord } from './documents.types.js'
import { documentStatusOf } from './documents.view.js'

/** The `document.updated` webhook for a row as it is now: ids and statuses, no PII, no token. */
export function documentUpdated(record: DocumentRecord): WebhookEventInput {
  return {
    type: 'document.updated',
    resourceId: record.id,
    audience: [
      record.ownerId,
      ...record.signers.flatMap((signer) => (signer.userOwnerId ? [signer.userOwnerId] : [])),
    ],
    data: {
      id: record.id,
      reference_number: record.referenceNumber,
      // As a read shows it: `pending` until Privy confirmed the upload.
      status: documentStatusOf(record),
      submission: record.submission,
      signers: record.signers.map((signer) => ({
        privy_id: signer.privyId,
        role: signer.role,
        status: signer.status,
        signed_at: signer.signedAt?.toISOString() ?? null,
      })),
      updated_at: record.updatedAt.toISOString(),
    },
  }
}
