import type { FieldError } from '../../errors/app-error.js'
import type { DocumentProcess } from '../../generated/prisma/client.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import type { PointBox } from '../../pdf/index.js'
import type { PdfPool } from '../../pdf-worker/pool.js'
import { parseOrRefuse, resolvePlacementLists } from '../placements.js'
import type { RegistrationApi } from '../registration/index.js'
import { type DocumentMetadata, DocumentMetadataSchema } from './documents.schemas.js'

/** An upload's `metadata` read: its fields, who signs (as Privy accounts), and the process it takes. */

export interface ResolvedSigner {
  position: number
  privyId: string
  registrationId: string
  userOwnerId: string | null
  role: 'signer' | 'reviewer'
  placements: Array<{ page: number; x: number; y: number }>
}

export function parseMetadata(metadata: unknown): DocumentMetadata {
  return parseOrRefuse(DocumentMetadataSchema, metadata, 'The metadata is not valid', 'metadata')
}

export function processOf(metadata: DocumentMetadata): DocumentProcess {
  if (!metadata.e_meterai) return 'sign_only'
  if (metadata.signers.length === 0) return 'emeterai_only'
  return metadata.e_meterai.order === 'before_signing' ? 'emeterai_then_sign' : 'sign_then_emeterai'
}

/** Signers are verified registrations of this merchant, named by id or by their privy_id. */
export async function resolveSigners(
  registrations: RegistrationApi,
  metadata: DocumentMetadata,
  ownerId: string | undefined,
) {
  const errors: FieldError[] = []
  const signers: Array<Omit<ResolvedSigner, 'placements'>> = []
  for (const [index, signer] of metadata.signers.entries()) {
    const registration = await registrations.findVerifiedSigner({
      id: signer.registration_id,
      privyId: signer.privy_id,
      ownerId,
    })
    const field = signer.registration_id ? 'registration_id' : 'privy_id'
    if (!registration?.privyId) {
      errors.push({ path: `metadata.signers.${index}.${field}`, message: 'is not a verified registration' })
      continue
    }
    if (signers.some((seen) => seen.privyId === registration.privyId)) {
      errors.push({ path: `metadata.signers.${index}.${field}`, message: 'names the same person twice' })
      continue
    }
    signers.push({
      position: index + 1,
      privyId: registration.privyId,
      registrationId: registration.id,
      userOwnerId: registration.ownerId.startsWith('user:') ? registration.ownerId : null,
      role: signer.role,
    })
  }
  return { signers, errors }
}

/**
 * An upload's PDF inspected in the worker pool and its placements resolved against it: the page count,
 * the boxes in points of each signer in order then of the e-Meterai, and every placement error.
 */
export async function placedInUpload(
  pool: Pick<PdfPool, 'inspect' | 'inspectMoved' | 'findText'>,
  metadata: DocumentMetadata,
  received: PdfUpload,
): Promise<{ pageCount: number; boxes: PointBox[][]; errors: FieldError[] }> {
  const resolved = await resolvePlacementLists(
    pool,
    received.file,
    [
      ...metadata.signers.map((signer, index) => ({
        placements: signer.placements,
        path: `metadata.signers.${index}.placements`,
        kind: 'signature' as const,
        max: 20,
      })),
      ...(metadata.e_meterai
        ? [
            {
              placements: metadata.e_meterai.placements,
              path: 'metadata.e_meterai.placements',
              kind: 'e_meterai' as const,
              max: 10,
            },
          ]
        : []),
    ],
    { move: true },
  )
  // The bytes went to the worker and came back, never copied (docs/decisions/upload-streaming.md).
  received.file = resolved.file
  return { pageCount: resolved.pdf.pageCount, boxes: resolved.boxes, errors: resolved.errors }
}
