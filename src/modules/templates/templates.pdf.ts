import { AppError, notFound } from '../../errors/app-error.js'
import type { TemplateVersion } from '../../generated/prisma/client.js'
import { PartBytes } from '../../http/part-bytes.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { SignedPdfStore, TemplateCopy } from '../documents/index.js'
import type { StoredEMeterai, StoredRole } from './templates.resolve.js'
import type { TemplateServiceDeps } from './templates.types.js'

/** A version's PDF read back from the store, whole: it was at most DOCUMENT_MAX_BYTES when accepted. */
export async function pdfOfVersion(
  store: SignedPdfStore,
  version: Pick<TemplateVersion, 'sha256' | 'sizeBytes'>,
): Promise<Omit<PdfUpload, 'metadata'>> {
  const stored = await store.open(version.sha256)
  if (!stored) throw new AppError('INTERNAL', { detail: "The template's PDF could not be read" })
  // Copied into one buffer of the stored size as the slices come, not collected and joined (twice the
  // PDF for a moment): a document sent from a template is an upload like any other
  // (docs/decisions/upload-streaming.md, "Memory").
  const bytes = new PartBytes(stored.size, stored.size)
  try {
    for await (const chunk of stored.stream) bytes.push(chunk as Buffer)
  } catch (error) {
    bytes.discard()
    throw error
  }
  const file = bytes.finish()
  return { file, sha256: version.sha256, size: file.length }
}

/** GET /v1/templates/{id}/pdf, and the copy of a version documents are sent from. */
export function createTemplatePdf(deps: TemplateServiceDeps) {
  async function pdf(principal: Principal, id: string) {
    const record = await deps.templates.find(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Template')
    const stored = await deps.store.open(record.current.sha256)
    if (!stored) throw new AppError('INTERNAL', { detail: "The template's PDF could not be read" })
    return { ...stored, filename: `template-${record.id}-v${record.current.version}.pdf` }
  }

  async function copyFor(
    ownerId: string | undefined,
    id: string,
    version?: number,
  ): Promise<TemplateCopy | null> {
    const record = await deps.templates.find(id, ownerId, version)
    if (!record) return null
    const { current } = record
    const file = await pdfOfVersion(deps.store, current)
    return {
      id: record.id,
      version: current.version,
      file: file.file,
      sha256: file.sha256,
      size: file.size,
      signProcess: current.signProcess,
      visibility: current.visibility,
      roles: current.roles as unknown as StoredRole[],
      eMeterai: (current.eMeterai as unknown as StoredEMeterai | null) ?? null,
    }
  }

  return { pdf, copyFor }
}
