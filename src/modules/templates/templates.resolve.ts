import { AppError, type FieldError } from '../../errors/app-error.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import type { PointBox } from '../../pdf/index.js'
import type { PdfPool } from '../../pdf-worker/pool.js'
import { parseOrRefuse, resolvePlacementLists } from '../placements.js'
import type { VersionData } from './templates.repository.js'
import { type TemplateMetadata, TemplateMetadataSchema } from './templates.schemas.js'

/** What a version stores of its roles: each name, its kind of signer and its boxes in points. */
export interface StoredRole {
  name: string
  role: 'signer' | 'reviewer'
  placements: PointBox[]
}

export interface StoredEMeterai {
  category: string
  order: 'after_signing' | 'before_signing'
  placements: PointBox[]
}

export function parseTemplateMetadata(metadata: unknown): TemplateMetadata {
  const parsed = parseOrRefuse(TemplateMetadataSchema, metadata, 'The metadata is not valid', 'metadata')
  const seen = new Set<string>()
  const errors: FieldError[] = []
  parsed.roles.forEach((role, index) => {
    if (seen.has(role.name)) {
      errors.push({
        path: `metadata.roles.${index}.name`,
        message: `${JSON.stringify(role.name)} is named twice`,
      })
    }
    seen.add(role.name)
  })
  if (errors.length > 0) throw new AppError('UNPROCESSABLE', { detail: 'Role names must be unique', errors })
  return parsed
}

/**
 * A version from a PDF and its metadata: the PDF inspected in the worker pool and its tags resolved
 * once, with the upload's checks and errors (README "Text tags"). Its boxes are what every document
 * sent from this version gets, without searching the PDF again.
 */
export async function resolveVersion(
  pool: Pick<PdfPool, 'inspect' | 'inspectMoved' | 'findText'>,
  file: Omit<PdfUpload, 'metadata'>,
  metadata: TemplateMetadata,
): Promise<VersionData> {
  const { roles, e_meterai: stamp } = metadata
  const resolved = await resolvePlacementLists(
    pool,
    file.file,
    [
      ...roles.map((role, index) => ({
        placements: role.placements,
        path: `metadata.roles.${index}.placements`,
        kind: 'signature' as const,
        max: 20,
      })),
      ...(stamp
        ? [
            {
              placements: stamp.placements,
              path: 'metadata.e_meterai.placements',
              kind: 'e_meterai' as const,
              max: 10,
            },
          ]
        : []),
    ],
    // Moved to the worker and back, not copied (docs/decisions/upload-streaming.md, "Memory"): from
    // here on the bytes are the answer's, which the caller's `file` now holds.
    { move: true },
  )
  file.file = resolved.file
  if (resolved.errors.length > 0) {
    throw new AppError('UNPROCESSABLE', {
      detail: 'The template cannot be signed as described',
      errors: resolved.errors,
    })
  }
  const storedRoles: StoredRole[] = roles.map((role, index) => ({
    name: role.name,
    role: role.role,
    placements: resolved.boxes[index] ?? [],
  }))
  const storedStamp: StoredEMeterai | null = stamp
    ? { category: stamp.category, order: stamp.order, placements: resolved.boxes[roles.length] ?? [] }
    : null
  return {
    sha256: file.sha256,
    sizeBytes: file.size,
    pageCount: resolved.pdf.pageCount,
    signProcess: metadata.sign_process,
    visibility: metadata.visibility,
    roles: storedRoles as unknown as VersionData['roles'],
    eMeterai: storedStamp as unknown as VersionData['eMeterai'],
    metadata: metadata as unknown as VersionData['metadata'],
  }
}
