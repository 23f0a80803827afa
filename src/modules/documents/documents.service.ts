import { notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { createDocumentCreation, type DocumentServiceDeps } from './documents.create.js'
import { createDocumentHistory } from './documents.history.js'
import { createDocumentRevoke } from './documents.revoke.js'
import type { DocumentView, ListDocumentsQuery } from './documents.schemas.js'
import { createSignedPdf } from './documents.signed-pdf.js'
import { toDocumentView } from './documents.view.js'
import type { SignedPdfStore } from './signed-pdf-store.js'

/**
 * Documents as the routes see them, one operation a file: create (documents.create.ts), revoke,
 * history, signed PDF (documents.revoke.ts, .history.ts, .signed-pdf.ts); reading one and listing here.
 */
export function createDocumentService(deps: DocumentServiceDeps & { store: SignedPdfStore }) {
  const { documents } = deps

  async function get(principal: Principal, id: string, options: { refresh: boolean }): Promise<DocumentView> {
    const record = await documents.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Document')
    return toDocumentView(await deps.sync.refreshIfDue(record, options.refresh))
  }

  async function list(principal: Principal, query: ListDocumentsQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const records = await documents.listVisible({
      ownerId: ownerScope(principal).ownerId,
      ...(query.submission ? { submission: query.submission } : {}),
      limit: query.limit + 1,
      after,
    })
    const { page, nextCursor } = cursorPage(records, query.limit)
    return { data: page.map(toDocumentView), next_cursor: nextCursor }
  }

  return {
    ...createDocumentCreation(deps),
    get,
    list,
    ...createDocumentRevoke(deps),
    ...createDocumentHistory(deps),
    ...createSignedPdf(deps),
  }
}

export type DocumentService = ReturnType<typeof createDocumentService>

export type { DocumentServiceDeps } from './documents.create.js'
