import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { SimContext } from '../context.js'
import { documentHistoryData, documentStatusData, uploadData } from '../document-data.js'
import type { DocumentProcessor } from '../document-flow.js'
import { documentRefSchema, uploadSchema } from '../document-schemas.js'
import { createDocument, merchantDocument, revokeDocument } from '../documents.js'
import { parseBody } from '../schemas.js'

/**
 * docs/privy-contract.md §5 document operations, inside the signed `/web/api/v2` scope (the signature leaves out the whole
 * `document` object, docs/privy-contract.md §2.3). docs/privy-contract.md §4.2 signing OTP is in document-otp.ts.
 */
export const documentRoutes: FastifyPluginAsync<{
  context: SimContext
  processor: DocumentProcessor
}> = async (app, { context, processor }) => {
  const publicUrlFor = (request: FastifyRequest) =>
    context.publicUrl ?? `${request.protocol}://${request.host}`

  // The answer is taken before e-Meterai-first processes ("1", "3") move on, so it says `uploaded`
  // as docs/privy-contract.md §5.1 fixes; with no processing delay they have moved on by the time it is sent.
  app.post('/doc-signing', async (request, reply) => {
    const input = parseBody(uploadSchema, request.body)
    const document = await createDocument(context, input, publicUrlFor(request))
    const data = uploadData(document)
    await processor.uploaded(document)
    return reply.code(201).send({ message: 'Document uploaded', data })
  })

  app.post('/doc-signing/status', async (request, reply) => {
    const document = merchantDocument(context, parseBody(documentRefSchema, request.body))
    const data = documentStatusData(document, { withSignedDocument: true })
    return reply.code(201).send({ message: 'Document status', data })
  })

  app.post('/doc-signing/history', async (request, reply) => {
    const document = merchantDocument(context, parseBody(documentRefSchema, request.body))
    return reply.code(201).send({ message: 'Document history', data: documentHistoryData(document) })
  })

  app.post('/doc-signing/delete', async (request, reply) => {
    const document = merchantDocument(context, parseBody(documentRefSchema, request.body))
    revokeDocument(context, document)
    const data = { document_token: document.documentToken, deleted_at: document.deletedAt?.toISOString() }
    return reply.code(201).send({ message: 'Document revoked', data })
  })
}
