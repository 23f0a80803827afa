import { createTemplateCreation } from './templates.create.js'
import { createTemplateDelete } from './templates.delete.js'
import { createTemplateLists } from './templates.lists.js'
import { createTemplatePdf } from './templates.pdf.js'
import { createTemplateReplace } from './templates.replace.js'
import type { TemplateServiceDeps } from './templates.types.js'

/** Templates as the routes see them, one operation a file. */
export function createTemplateService(deps: TemplateServiceDeps) {
  return {
    ...createTemplateCreation(deps),
    ...createTemplateReplace(deps),
    ...createTemplateDelete(deps),
    ...createTemplateLists(deps),
    ...createTemplatePdf(deps),
  }
}

export type { TemplateServiceDeps } from './templates.types.js'
export type TemplateService = ReturnType<typeof createTemplateService>
