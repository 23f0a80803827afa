import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../errors/app-error.js'
import { acceptPdfForms, type PdfUploadLimits, readPdfChange, readPdfUpload } from '../../http/pdf-upload.js'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { IdempotencyKeyHeaderSchema } from '../idempotency/index.js'
import {
  ListTemplatesQuerySchema,
  TemplateChangeBodySchema,
  TemplateIdParamsSchema,
  TemplateListSchema,
  TemplateSchema,
  TemplateUploadBodySchema,
  type TemplateView,
} from './templates.schemas.js'
import type { TemplateService } from './templates.service.js'

const tags = ['Templates']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]
const FORM = 'a template upload'

export const templateRoutes: FastifyPluginAsyncZod<{
  service: TemplateService
  idempotency: IdempotencyService
  limits: PdfUploadLimits
}> = async (app, { service, idempotency, limits }) => {
  await acceptPdfForms(app, limits)
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/templates',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.create',
        summary: 'Store a PDF with signer roles',
        description:
          'multipart/form-data with a `file` (the PDF) and `metadata` (JSON: name, roles each with its ' +
          'placements, optional e_meterai). The PDF is checked as an upload is (same limits, same 422s); ' +
          'text tags are resolved once, here, to boxes in points. POST /v1/documents with `template_id` ' +
          'then sends it without uploading the PDF again.',
        consumes: ['multipart/form-data'],
        headers: IdempotencyKeyHeaderSchema,
        body: TemplateUploadBodySchema,
        response: { 201: TemplateSchema, ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
      // The body is read by the handler, as a capped stream; this only keeps the schema in the docs.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const upload = await readPdfUpload(request, limits, FORM)
      const created = (template: TemplateView) => ({
        status: 201,
        body: template,
        headers: { location: `/v1/templates/${template.id}` },
      })
      return idempotency.handle(request, reply, {
        content: [upload.metadata, upload.sha256],
        execute: async (claim) => created(await service.create(principal, upload, claim)),
        // Nothing of a template's creation is left unknown: a retry reads what the first one made.
        resume: async (id) => created(await service.get(principal, id)),
      })
    },
  )

  app.get(
    '/v1/templates',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.list',
        summary: 'List templates',
        description:
          'Newest first: your templates; operators see all, each with its `owner`, and may filter by it.',
        querystring: ListTemplatesQuerySchema,
        response: { 200: TemplateListSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => service.list(principalOf(request), request.query),
  )

  app.get(
    '/v1/templates/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.get',
        summary: 'Get a template',
        params: TemplateIdParamsSchema,
        response: { 200: TemplateSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.get(principalOf(request), request.params.id),
  )

  app.put(
    '/v1/templates/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.replace',
        summary: 'Replace the PDF or the metadata of a template',
        description:
          'multipart/form-data with a new `file`, new `metadata`, or both (what is left out is kept). ' +
          'Placements are resolved again and the template becomes version + 1. Documents already sent ' +
          'keep their PDF and placements; every version stays stored.',
        consumes: ['multipart/form-data'],
        params: TemplateIdParamsSchema,
        body: TemplateChangeBodySchema,
        response: { 200: TemplateSchema, ...problemResponses(400, 401, 404, 413, 415, 422, 503) },
      },
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const params = TemplateIdParamsSchema.safeParse(request.params)
      if (!params.success) throw badId()
      const change = await readPdfChange(request, limits, FORM)
      return service.replace(principalOf(request), params.data.id, change)
    },
  )

  app.delete(
    '/v1/templates/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.delete',
        summary: 'Delete a template',
        description: 'Then 404 for reads and for new documents; documents already sent are untouched.',
        params: TemplateIdParamsSchema,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(principalOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/templates/:id/pdf',
    {
      schema: {
        tags,
        security,
        operationId: 'templates.pdf',
        summary: "The template's current PDF",
        params: TemplateIdParamsSchema,
        produces: ['application/pdf'],
        response: {
          200: z.any().describe('The PDF').meta({ type: 'string', format: 'binary' }),
          ...problemResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const pdf = await service.pdf(principalOf(request), request.params.id)
      return reply
        .header('content-type', 'application/pdf')
        .header('content-length', String(pdf.size))
        .header('content-disposition', `attachment; filename="${pdf.filename}"`)
        .header('cache-control', 'private, no-store')
        .serializer((payload: unknown) => payload as string)
        .send(pdf.stream)
    },
  )
}

function badId() {
  return new AppError('VALIDATION_FAILED', {
    detail: 'params.id must be a template id (UUID)',
    errors: [{ path: 'params.id', message: 'must be a template id (UUID)' }],
  })
}
