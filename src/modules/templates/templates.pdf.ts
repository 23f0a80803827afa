import { createHash } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import type { TemplateVersion } from '../../generated/prisma/client.js'
import { PartBytes } from '../../http/part-bytes.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { TemplateCopy } from '../documents/index.js'
import type { StoredEMeterai, StoredRole } from './templates.resolve.js'
import type { TemplateServiceDeps } from './templates.types.js'

/**
 * A version's PDF read back from the store, whole (it was at most DOCUMENT_MAX_BYTES when accepted),
 * and hashed as it is read: what the version's page count and boxes were found in is what is used, or
 * nothing is. The store is content-addressed, so bytes that do not hash to the version's SHA-256 were
 * damaged there; they are refused with a 500 and an error line, never sent or searched.
 */
export async function pdfOfVersion(
  deps: Pick<TemplateServiceDeps, 'store' | 'logger'>,
  version: Pick<TemplateVersion, 'templateId' | 'version' | 'sha256' | 'sizeBytes'>,
): Promise<Omit<PdfUpload, 'metadata'>> {
  const stored = await deps.store.open(version.sha256)
  if (!stored) throw new AppError('INTERNAL', { detail: "The template's PDF could not be read" })
  // Copied into one buffer of the version's size as the slices come, not collected and joined (twice
  // the PDF for a moment): a document sent from a template is an upload like any other
  // (docs/decisions/upload-streaming.md, "Memory"). More bytes than the version had are damage too.
  const hash = createHash('sha256')
  const bytes = new PartBytes(version.sizeBytes, version.sizeBytes)
  let overSize = false
  try {
    for await (const chunk of stored.stream) {
      const slice = chunk as Buffer
      hash.update(slice)
      if (overSize || bytes.length + slice.length > version.sizeBytes) overSize = true
      else bytes.push(slice)
    }
  } catch (error) {
    bytes.discard()
    throw error
  }
  const foundSize = bytes.length
  if (overSize) bytes.discard()
  const file = overSize ? Buffer.alloc(0) : bytes.finish()
  const found = hash.digest('hex')
  if (overSize || found !== version.sha256 || file.length !== version.sizeBytes) {
    deps.logger.error(
      {
        template_id: version.templateId,
        template_version: version.version,
        expected_sha256: version.sha256,
        found_sha256: found,
        expected_size: version.sizeBytes,
        found_size: overSize ? `more than ${version.sizeBytes}` : foundSize,
      },
      "template PDF in the store does not match its version's SHA-256: refused, not used",
    )
    throw new AppError('INTERNAL', {
      detail: "The template's stored PDF does not match its version (its SHA-256 differs); it was not used",
    })
  }
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
    const file = await pdfOfVersion(deps, current)
    return {
      id: record.id,
      version: current.version,
      file: file.file,
      sha256: file.sha256,
      size: file.size,
      pageCount: current.pageCount,
      signProcess: current.signProcess,
      visibility: current.visibility,
      roles: current.roles as unknown as StoredRole[],
      eMeterai: (current.eMeterai as unknown as StoredEMeterai | null) ?? null,
    }
  }

  return { pdf, copyFor }
}
