import type { DocumentRecord } from './documents.repository.js'
import type { DocumentView } from './documents.schemas.js'

interface StoredEMeterai {
  category?: string
  status?: string | null
  serial_number?: string | null
}

function eMeteraiOf(record: DocumentRecord): DocumentView['e_meterai'] {
  const stored = record.eMeterai
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return null
  const value = stored as StoredEMeterai
  return {
    category: value.category ?? '',
    status: value.status ?? null,
    serial_number: value.serial_number ?? null,
  }
}

/** The merchant-facing shape: no document token, no uploader id, no upstream details. */
export function toDocumentView(record: DocumentRecord): DocumentView {
  return {
    id: record.id,
    reference_number: record.referenceNumber,
    title: record.title,
    status: record.status,
    sign_process: record.signProcess,
    signers: record.signers.map((signer) => ({
      privy_id: signer.privyId,
      role: signer.role,
      status: signer.status,
      signed_at: signer.signedAt?.toISOString() ?? null,
    })),
    signing_url: record.status === 'uploaded' ? record.signingUrl : null,
    e_meterai: eMeteraiOf(record),
    sha256: record.sha256,
    size_bytes: record.sizeBytes,
    page_count: record.pageCount,
    signed_pdf_available: record.status === 'completed',
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}
