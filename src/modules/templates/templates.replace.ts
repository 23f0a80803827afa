import { notFound } from '../../errors/app-error.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { pdfOfVersion } from './templates.pdf.js'
import { parseTemplateMetadata, resolveVersion } from './templates.resolve.js'
import type { TemplateView } from './templates.schemas.js'
import type { TemplateServiceDeps } from './templates.types.js'
import { toTemplateView } from './templates.view.js'

/**
 * PUT /v1/templates/{id}: a new PDF, new metadata, or both; the placements resolved again against
 * what results, as version + 1. Earlier versions and their PDFs are kept: documents sent from them
 * are never changed, and a retry of one is sent again from its own version.
 */
export function createTemplateReplace(deps: TemplateServiceDeps) {
  async function replace(
    principal: Principal,
    id: string,
    change: { file?: Omit<PdfUpload, 'metadata'>; metadata?: { value: unknown } },
  ): Promise<TemplateView> {
    // What was sent is judged before anything is looked up, as on every other route.
    const sent = change.metadata ? parseTemplateMetadata(change.metadata.value) : undefined
    const { ownerId } = ownerScope(principal)
    const existing = await deps.templates.find(id, ownerId)
    if (!existing) throw notFound('Template')
    const metadata = sent ?? parseTemplateMetadata(existing.current.metadata)
    const file = change.file ?? (await pdfOfVersion(deps, existing.current))
    const version = await resolveVersion(deps.pdf, file, metadata)
    if (change.file) await deps.store.put(change.file.file)
    const replaced = await deps.templates.replace(id, ownerId, metadata.name, version)
    if (!replaced) throw notFound('Template')
    return toTemplateView(replaced)
  }
  return { replace }
}
