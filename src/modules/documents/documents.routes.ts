import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { compiledSuccessSerializerCompiler } from '../../http/compiled-serializer.js'
import { acceptPdfForms, type PdfUploadLimits, readPdfUpload } from '../../http/pdf-upload.js'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { IdempotencyKeyHeaderSchema } from '../idempotency/index.js'
import {
  DocumentFromTemplateSchema,
  DocumentHistorySchema,
  DocumentIdParamsSchema,
  DocumentListSchema,
  DocumentSchema,
  DocumentUploadBodySchema,
  type DocumentView,
  GetDocumentQuerySchema,
  ListDocumentsQuerySchema,
  RevokeDocumentBodySchema,
} from './documents.schemas.js'
import type { DocumentService } from './documents.service.js'

const tags = ['Documents']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

export const documentRoutes: FastifyPluginAsyncZod<{
  service: DocumentService
  idempotency: IdempotencyService
  limits: PdfUploadLimits
}> = async (app, { service, idempotency, limits }) => {
  await acceptPdfForms(app, limits)
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/documents',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.upload',
        summary: 'Upload a PDF for signing',
        description:
          'multipart/form-data with a `file` (the PDF) and `metadata` (JSON: title, sign_process, signers ' +
          'with their placements, optional e_meterai). The PDF is checked by content (header, structure, ' +
          'not encrypted, no active content such as scripts, actions that open other files or send data, ' +
          "links other than http/https/mailto, attachments; each page's real box and rotation); a PDF past " +
          'the page, object, time or memory limits of the check gets 422 `PDF_TOO_COMPLEX`, and 503 with ' +
          'Retry-After when too many are being checked. A placement is a box (page, x, y) or a text tag ' +
          '(`anchor`) found in the PDF and resolved to points, shown in the answer. Every placement must lie ' +
          'on its page; signers are ' +
          'verified registrations. Only its SHA-256 is kept. Or application/json with a `template_id` ' +
          "(POST /v1/templates) and one signer per role: the template's PDF and placements are sent " +
          'as an upload would be, and the document records `template_id` and `template_version`.',
        headers: IdempotencyKeyHeaderSchema,
        body: DocumentFromTemplateSchema,
        multipartBody: DocumentUploadBodySchema,
        response: {
          201: DocumentSchema,
          ...problemResponses(400, 401, 404, 409, 413, 415, 422, 502, 503, 504),
        },
      },
      // The body is read by the handler, as a capped stream; this only keeps the schema in the docs.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const created = (document: DocumentView) => ({
        status: 201,
        body: document,
        headers: { location: `/v1/documents/${document.id}` },
      })
      if (!request.isMultipart()) {
        // JSON (the only other type the route parses): a document sent from a template.
        const body: unknown = request.body
        return idempotency.handle(request, reply, {
          content: ['template', body],
          execute: async (claim) => created(await service.fromTemplate(principal, body, claim)),
          resume: async (id, claim) => created(await service.resumeFromTemplate(principal, id, body, claim)),
        })
      }
      const upload = await readPdfUpload(request, limits)
      return idempotency.handle(request, reply, {
        // Multipart boundaries differ between retries: the fields and the PDF's hash are compared.
        content: [upload.metadata, upload.sha256],
        execute: async (claim) => created(await service.upload(principal, upload, claim)),
        resume: async (id, claim) => created(await service.resumeUpload(principal, id, upload, claim)),
      })
    },
  )

  app.get(
    '/v1/documents',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.list',
        summary: 'List documents',
        description:
          'Newest first: the documents you uploaded and those you sign; `awaiting=me`: those waiting for ' +
          'your signature now. Operators see all, each with its `owner`, and may filter by `owner`. ' +
          'Filters combine (AND); the cursor of a filtered list pages that same list.',
        querystring: ListDocumentsQuerySchema,
        response: { 200: DocumentListSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => service.list(principalOf(request), request.query),
  )

  app.get(
    '/v1/documents/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.get',
        summary: 'Get a document',
        params: DocumentIdParamsSchema,
        querystring: GetDocumentQuerySchema,
        response: { 200: DocumentSchema, ...problemResponses(400, 401, 404, 502, 503, 504) },
      },
      // The status read is the hot path: its 200 is written by the compiled serializer.
      serializerCompiler: compiledSuccessSerializerCompiler,
    },
    async (request) =>
      service.get(principalOf(request), request.params.id, { refresh: request.query.refresh }),
  )

  app.get(
    '/v1/documents/:id/history',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.history',
        summary: "The document's timeline",
        description: "Privy's signer history merged with the gateway's own events, oldest first.",
        params: DocumentIdParamsSchema,
        response: { 200: DocumentHistorySchema, ...problemResponses(400, 401, 404, 502, 503, 504) },
      },
    },
    async (request) => service.history(principalOf(request), request.params.id),
  )

  app.post(
    '/v1/documents/:id/revoke',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.revoke',
        summary: 'Revoke a document',
        description:
          'Only by its uploader (or an operator), and only while not every signer has signed (else 409 ' +
          '`DOCUMENT_NOT_REVOCABLE`). An optional JSON body `{"reason": "..."}` (one line, at most 500 ' +
          'characters) is kept in the history with the actor (`operator:<key id>` or `user:<sub>`).',
        headers: IdempotencyKeyHeaderSchema,
        params: DocumentIdParamsSchema,
        body: RevokeDocumentBodySchema.optional(),
        response: {
          200: DocumentSchema,
          ...problemResponses(400, 401, 404, 409, 413, 415, 422, 502, 503, 504),
        },
      },
      // No body at all (the call as it was before `reason`) reads as an empty one, not as `null`.
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      const reason = request.body?.reason
      return idempotency.handle(request, reply, {
        // Without a reason, the content is what it was before `reason` existed: a key used then still fits.
        content: reason === undefined ? [id] : [id, reason],
        execute: async (claim) => ({
          status: 200,
          body: await service.revoke(principal, id, reason, claim),
        }),
        resume: async (_, claim) => ({
          status: 200,
          body: await service.resumeRevoke(principal, id, reason, claim),
        }),
      })
    },
  )

  app.get(
    '/v1/documents/:id/signed.pdf',
    {
      schema: {
        tags,
        security,
        operationId: 'documents.signedPdf',
        summary: 'Download the signed PDF',
        description:
          'Once `completed`: fetched from Privy once, checked, kept by SHA-256, streamed. 409 ' +
          '`SIGNED_PDF_NOT_READY` before; 503 `SERVICE_UNAVAILABLE` when the S3 store does not answer.',
        params: DocumentIdParamsSchema,
        produces: ['application/pdf'],
        response: {
          200: z.any().describe('The signed PDF').meta({ type: 'string', format: 'binary' }),
          ...problemResponses(400, 401, 404, 409, 502, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const pdf = await service.signedPdf(principalOf(request), request.params.id)
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
