import type { GatewayModule, ModuleContext } from '../context.js'
import type { PdfFiles, TemplateSource } from '../documents/index.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { createTemplateRepository } from './templates.repository.js'
import { templateRoutes } from './templates.routes.js'
import { createTemplateService } from './templates.service.js'

export interface TemplatesModuleApi {
  /** What documents are sent from (POST /v1/documents with `template_id`). */
  source: TemplateSource
}

/**
 * Templates: a PDF and its signer roles, placements resolved once, sent as documents without the
 * upload. Its PDFs live in the documents' PDF store (the documents module opens and closes it).
 */
export function createTemplatesModule(
  ctx: ModuleContext,
  deps: { idempotency: IdempotencyService; files: Pick<PdfFiles, 'pdf' | 'store'> },
): GatewayModule<TemplatesModuleApi> {
  const { config } = ctx
  const service = createTemplateService({
    templates: createTemplateRepository(ctx.database.prisma),
    pdf: deps.files.pdf,
    store: deps.files.store,
    now: ctx.now,
    logger: ctx.logger,
  })
  return {
    routes: async (app) => {
      await app.register(templateRoutes, {
        service,
        idempotency: deps.idempotency,
        limits: { maxBytes: config.documents.maxBytes, maxMetadataBytes: 64 * 1024 },
      })
    },
    api: { source: { copyFor: service.copyFor } },
    loops: [],
    close: async () => undefined,
  }
}
