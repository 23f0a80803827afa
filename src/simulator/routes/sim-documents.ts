import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { SimContext } from '../context.js'
import { type DocumentProcessor, signRefusal } from '../document-flow.js'
import type { PlacedBox, SimDocument } from '../document-types.js'
import { SimError } from '../errors.js'
import { optionalJsonObjectBody } from '../json-body.js'
import { parseBody } from '../schemas.js'
import { findSimDocument } from './sim-lookup.js'

/**
 * docs/privy-contract.md §7 for documents (never part of real Privy): read a document's whole state, sign as a signer
 * without OTP (turn rules still hold), expire it, move processing on or make it fail, and fetch the
 * PDF as it arrived and as it was signed.
 */

const referenceParams = z.object({ reference_number: z.string() })
const channelQuery = z.object({ channel_id: z.string().optional() })
const signBody = z.strictObject({ privy_id: z.string() })
const failBody = z.strictObject({ reason: z.string().optional() })

const boxView = (box: PlacedBox) => ({
  page: box.page,
  x: box.x,
  y: box.y,
  width: box.width,
  height: box.height,
})

function simDocumentView(document: SimDocument) {
  const { emeterai } = document
  return {
    reference_number: document.referenceNumber,
    channel_id: document.channelId,
    document_token: document.documentToken,
    status: document.status,
    doc_process: document.docProcess,
    sign_process: document.signProcess,
    visibility: document.visibility,
    document_name: document.documentName,
    info: document.info ?? null,
    page_count: document.pageCount,
    signing_url: document.signingUrl,
    signers: document.signers.map((signer) => ({
      privy_id: signer.privyId,
      signer_type: signer.signerType,
      status: signer.status,
      notify_user: signer.notifyUser,
      signed_at: signer.signedAt?.toISOString() ?? null,
      positions: signer.boxes.map(boxView),
      histories: signer.histories.map((entry) => ({
        description: entry.description,
        created_at: entry.createdAt.toISOString(),
      })),
    })),
    emeterai:
      emeterai === undefined
        ? null
        : {
            doc_category: emeterai.docCategory,
            status: emeterai.status,
            serial_number: emeterai.serialNumber ?? null,
            stamped_at: emeterai.stampedAt?.toISOString() ?? null,
            positions: emeterai.stamps.map((box) => ({ ...boxView(box), dimension: box.width })),
          },
    failure: document.failure ?? null,
    uploaded_bytes: document.uploadedPdf.length,
    has_signed_document: document.signedPdf !== undefined,
    created_at: document.createdAt.toISOString(),
    updated_at: document.updatedAt.toISOString(),
    deleted_at: document.deletedAt?.toISOString() ?? null,
  }
}

const PDF_HEADERS = { 'content-type': 'application/pdf', 'cache-control': 'no-store' } as const

export const simDocumentRoutes: FastifyPluginAsync<{
  context: SimContext
  processor: DocumentProcessor
}> = async (app, { context, processor }) => {
  /** Reference numbers are unique per channel only: `?channel_id=` picks one when several share it. */
  const findDocument = (params: unknown, query: unknown): SimDocument => {
    const { reference_number } = referenceParams.parse(params)
    const { channel_id } = channelQuery.parse(query)
    return findSimDocument(context, reference_number, channel_id)
  }

  app.get('/__sim/documents/:reference_number', async (request) =>
    simDocumentView(findDocument(request.params, request.query)),
  )

  /** Not a recipient: 404; already signed, not signable now or not their turn: 409. */
  app.post('/__sim/documents/:reference_number/sign', async (request) => {
    const { privy_id } = parseBody(signBody, optionalJsonObjectBody(request))
    const document = findDocument(request.params, request.query)
    const refusal = signRefusal(document, privy_id)
    if (refusal !== undefined)
      throw new SimError(refusal.kind === 'not_recipient' ? 404 : 409, [refusal.message])
    await processor.sign(document, privy_id)
    return simDocumentView(document)
  })

  app.post('/__sim/documents/:reference_number/expire', async (request) => {
    const document = findDocument(request.params, request.query)
    processor.expire(document)
    return simDocumentView(document)
  })

  app.post('/__sim/documents/:reference_number/fail', async (request) => {
    const { reason } = parseBody(failBody, optionalJsonObjectBody(request))
    const document = findDocument(request.params, request.query)
    processor.fail(document, reason ?? 'failure injected at /__sim')
    return simDocumentView(document)
  })

  /** One processing step now, whatever the delay: the way on when the delay is null. */
  app.post('/__sim/documents/:reference_number/advance', async (request) => {
    const document = findDocument(request.params, request.query)
    await processor.advance(document)
    return simDocumentView(document)
  })

  /** The PDF exactly as decoded from `document_file`, to prove the client sent it intact. */
  app.get('/__sim/documents/:reference_number/uploaded.pdf', async (request, reply) => {
    const document = findDocument(request.params, request.query)
    return reply.headers(PDF_HEADERS).send(document.uploadedPdf)
  })

  app.get('/__sim/documents/:reference_number/signed.pdf', async (request, reply) => {
    const document = findDocument(request.params, request.query)
    if (document.signedPdf === undefined) {
      throw new SimError(404, [
        `Document ${document.referenceNumber} is ${document.status}: no signed PDF yet`,
      ])
    }
    return reply.headers(PDF_HEADERS).send(document.signedPdf)
  })
}
