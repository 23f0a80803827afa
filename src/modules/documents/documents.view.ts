import { SIGNATURE_BOX } from '../../pdf/index.js'
import { submissionOf } from '../submission.js'
import type { DocumentView } from './documents.schemas.js'
import type { DocumentRecord } from './documents.types.js'

interface StoredEMeterai {
  placements?: Array<{ page: number; x: number; y: number; dimension: number }>
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
    placements: (Array.isArray(value.placements) ? value.placements : []).map((stamp) => ({
      page: stamp.page,
      x: stamp.x,
      y: stamp.y,
      width: stamp.dimension,
      height: stamp.dimension,
    })),
  }
}

/** The boxes stored for a signer ({page, x, y} sent to Privy), with the size Privy draws them at. */
function signerPlacements(stored: unknown): DocumentView['signers'][number]['placements'] {
  if (!Array.isArray(stored)) return []
  return (stored as Array<{ page: number; x: number; y: number }>).map((spot) => ({
    page: spot.page,
    x: spot.x,
    y: spot.y,
    ...SIGNATURE_BOX,
  }))
}

/**
 * What a document reads as: `pending` until Privy confirmed the upload, so a read never promises what
 * signing or revoking cannot do yet.
 */
export function documentStatusOf(
  record: Pick<DocumentRecord, 'status' | 'submission'>,
): DocumentView['status'] {
  return record.submission === 'submitted' ? record.status : 'pending'
}

/** The merchant-facing shape: no document token, no uploader id, no upstream details. */
export function toDocumentView(record: DocumentRecord): DocumentView {
  const submitted = record.submission === 'submitted'
  return {
    id: record.id,
    reference_number: record.referenceNumber,
    title: record.title,
    status: documentStatusOf(record),
    submission: submissionOf(record.submission),
    sign_process: record.signProcess,
    signers: record.signers.map((signer) => ({
      privy_id: signer.privyId,
      role: signer.role,
      status: signer.status,
      signed_at: signer.signedAt?.toISOString() ?? null,
      placements: signerPlacements(signer.placements),
    })),
    signing_url: submitted && record.status === 'uploaded' ? record.signingUrl : null,
    e_meterai: eMeteraiOf(record),
    sha256: record.sha256,
    size_bytes: record.sizeBytes,
    page_count: record.pageCount,
    template_id: record.templateId,
    template_version: record.templateVersion,
    signed_pdf_available: submitted && record.status === 'completed',
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}
