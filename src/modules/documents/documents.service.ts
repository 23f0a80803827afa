import { AppError, notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import { ownerIdFor, ownerScope, type Principal } from '../../lib/principal.js'
import { listFiltersOf, ownerFor } from '../list-filters.js'
import { createDocumentCreation, type DocumentServiceDeps } from './documents.create.js'
import { createDocumentFromTemplate } from './documents.from-template.js'
import { createDocumentHistory } from './documents.history.js'
import { createDocumentRevoke } from './documents.revoke.js'
import type { DocumentView, ListDocumentsQuery } from './documents.schemas.js'
import { createSignedPdf } from './documents.signed-pdf.js'
import type { TemplateSource } from './documents.types.js'
import { toDocumentView } from './documents.view.js'
import type { SignedPdfStore } from './signed-pdf-store.js'

/** `awaiting=me` is a signer's view: an operator signs nothing, and it is one list, not a filter mix. */
function awaitingSigner(principal: Principal, query: ListDocumentsQuery): string {
  const refuse = (path: string, message: string) =>
    new AppError('VALIDATION_FAILED', {
      detail: `query.${path} ${message}`,
      errors: [{ path: `query.${path}`, message }],
    })
  if (principal.kind !== 'user') throw refuse('awaiting', 'is for users: an operator signs no documents')
  for (const field of ['status', 'submission'] as const) {
    if (query[field] !== undefined) {
      throw refuse(field, 'does not combine with awaiting=me (those documents are open for signing)')
    }
  }
  return ownerIdFor(principal)
}

/**
 * Documents as the routes see them, one operation a file: create (documents.create.ts), revoke,
 * history, signed PDF (documents.revoke.ts, .history.ts, .signed-pdf.ts); reading one and listing here.
 */
export function createDocumentService(
  deps: DocumentServiceDeps & { store: SignedPdfStore; templates: TemplateSource },
) {
  const { documents } = deps
  const creation = createDocumentCreation(deps)

  async function get(principal: Principal, id: string, options: { refresh: boolean }): Promise<DocumentView> {
    const record = await documents.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Document')
    const fresh = await deps.sync.refreshIfDue(record, options.refresh)
    return { ...toDocumentView(fresh), ...ownerFor(principal, fresh.ownerId) }
  }

  async function list(principal: Principal, query: ListDocumentsQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const filters = listFiltersOf(principal, query)
    const page = { ...filters, limit: query.limit + 1, after }
    const records = query.awaiting
      ? await documents.listAwaiting({ ...page, userOwnerId: awaitingSigner(principal, query) })
      : await documents.listVisible({
          ...page,
          ...(query.submission ? { submission: query.submission } : {}),
          ...(query.status ? { status: query.status } : {}),
        })
    const { page: shown, nextCursor } = cursorPage(records, query.limit)
    return {
      data: shown.map((record) => ({ ...toDocumentView(record), ...ownerFor(principal, record.ownerId) })),
      next_cursor: nextCursor,
    }
  }

  return {
    ...creation,
    ...createDocumentFromTemplate(deps, creation),
    get,
    list,
    ...createDocumentRevoke(deps),
    ...createDocumentHistory(deps),
    ...createSignedPdf(deps),
  }
}

export type DocumentService = ReturnType<typeof createDocumentService>

export type { DocumentServiceDeps } from './documents.create.js'
