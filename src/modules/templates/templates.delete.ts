import { notFound } from '../../errors/app-error.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { TemplateServiceDeps } from './templates.types.js'

/** DELETE /v1/templates/{id}: gone for reads and new documents; documents already sent are untouched. */
export function createTemplateDelete(deps: TemplateServiceDeps) {
  async function remove(principal: Principal, id: string): Promise<void> {
    const deleted = await deps.templates.markDeleted(id, ownerScope(principal).ownerId, deps.now())
    if (!deleted) throw notFound('Template')
  }
  return { remove }
}
