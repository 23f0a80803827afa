import { notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { listFiltersOf, ownerFor } from '../list-filters.js'
import type { ListTemplatesQuery, TemplateView } from './templates.schemas.js'
import type { TemplateServiceDeps } from './templates.types.js'
import { toTemplateView } from './templates.view.js'

/** GET /v1/templates (newest first, cursor-paged) and GET /v1/templates/{id}. */
export function createTemplateLists(deps: TemplateServiceDeps) {
  async function get(principal: Principal, id: string): Promise<TemplateView> {
    const record = await deps.templates.find(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Template')
    return { ...toTemplateView(record), ...ownerFor(principal, record.ownerId) }
  }

  async function list(principal: Principal, query: ListTemplatesQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const filters = listFiltersOf(principal, query)
    const records = await deps.templates.list({ ...filters, limit: query.limit + 1, after })
    const { page, nextCursor } = cursorPage(records, query.limit)
    return {
      data: page.map((record) => ({ ...toTemplateView(record), ...ownerFor(principal, record.ownerId) })),
      next_cursor: nextCursor,
    }
  }

  return { get, list }
}
