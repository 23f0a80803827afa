import { randomUUID } from 'node:crypto'
import type { PdfUpload } from '../../http/pdf-upload.js'
import { ownerIdFor, type Principal } from '../../lib/principal.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { parseTemplateMetadata, resolveVersion } from './templates.resolve.js'
import type { TemplateView } from './templates.schemas.js'
import type { TemplateServiceDeps } from './templates.types.js'
import { toTemplateView } from './templates.view.js'

/** POST /v1/templates: the PDF kept in the PDF store by its hash, its tags resolved once. */
export function createTemplateCreation(deps: TemplateServiceDeps) {
  async function create(
    principal: Principal,
    received: PdfUpload,
    claim?: IdempotencyClaim,
  ): Promise<TemplateView> {
    const metadata = parseTemplateMetadata(received.metadata)
    const version = await resolveVersion(deps.pdf, received, metadata)
    // Content-addressed: written once, never changed, so a version's PDF cannot be swapped under it.
    await deps.store.put(received.file)
    const id = randomUUID()
    const record = await deps.templates.create(
      { id, ownerId: ownerIdFor(principal), name: metadata.name, now: deps.now() },
      version,
      claim?.ref,
    )
    claim?.boundInTransaction(id)
    return toTemplateView(record)
  }
  return { create }
}
