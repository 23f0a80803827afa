import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { operatorsOnly } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import { OPERATOR_TAGS } from '../../plugins/swagger.js'
import {
  CallbackIdParamsSchema,
  CallbackReceiptSchema,
  ListCallbacksQuerySchema,
  PrivyCallbackBodySchema,
  StoredCallbackListSchema,
  StoredCallbackSchema,
} from './callback.schemas.js'
import type { CallbackService } from './callback.service.js'

/**
 * A callback is a status object: a few KB (a document has at most 20 signers). Anything near this is
 * not one, and is refused unread.
 */
export const CALLBACK_BODY_LIMIT = 64 * 1024

const tags = ['Privy callbacks']

const CallbackHeadersSchema = z.object({
  timestamp: z.string().optional().describe('ISO-8601, within 5 minutes of the gateway clock'),
  signature: z.string().optional().describe('Contract §2.3 over the body, with the merchant API key pair'),
})

export const callbackRoutes: FastifyPluginAsyncZod<{ service: CallbackService }> = async (
  app,
  { service },
) => {
  await app.register(receivingRoute, { service })
  await app.register(operatorRoutes, { service })
}

/** Privy's POST: its own scope, where every body is read as raw bytes (the signature covers them). */
const receivingRoute: FastifyPluginAsyncZod<{ service: CallbackService }> = async (app, { service }) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  app.post(
    '/v1/privy/callbacks',
    {
      schema: {
        tags,
        operationId: 'privyCallbacks.receive',
        summary: 'Receive a Privy callback',
        description:
          "Called by Privy, not by apps: authenticated by Privy's `Timestamp` and `Signature` headers " +
          "(contract §2.3 over the body's canonical form, within 5 minutes), not by a JWT. A missing, " +
          'wrong or stale signature answers 401 and applies nothing; it is kept as `rejected` (without ' +
          'its body) up to a limit per client address and per hour, then only counted. A genuine ' +
          'callback must fit the contract formats field by field (ids, tokens and references without ' +
          'whitespace, statuses from the contract sets, dates that parse): one that does not answers ' +
          '422 naming the fields, applies nothing, and is kept once as `failed`. A genuine one that ' +
          'fits answers 200 once stored, its body encrypted: `applied` says whether it moved a ' +
          'registration or document; the same callback again, however its whitespace is padded, answers ' +
          '`duplicate: true` and is not applied again; stale, backward or unknown-reference ones are ' +
          'kept as `ignored`. Bodies over 64 KiB: 413.',
        headers: CallbackHeadersSchema,
        body: PrivyCallbackBodySchema,
        response: { 200: CallbackReceiptSchema, ...problemResponses(401, 413, 422, 503) },
      },
      bodyLimit: CALLBACK_BODY_LIMIT,
      // The raw bytes are checked by the service; the schemas above document the contract.
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const body: unknown = request.body
      const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0)
      return service.receive(
        {
          raw,
          headers: {
            timestamp: singleHeader(request, 'timestamp'),
            signature: singleHeader(request, 'signature'),
          },
          ip: request.ip,
        },
        request.log,
      )
    },
  )
}

/** Inspection and reapply: operators (X-API-Key) only; to an end user these routes do not exist. */
const operatorRoutes: FastifyPluginAsyncZod<{ service: CallbackService }> = async (app, { service }) => {
  const security: Array<Record<string, string[]>> = [{ apiKey: [] }]
  const tags = [OPERATOR_TAGS.operators]
  app.addHook('onRequest', app.authenticate)
  // Before validation too: an end user learns nothing about these routes, not even their query rules.
  app.addHook('onRequest', operatorsOnly)

  app.get(
    '/v1/privy/callbacks',
    {
      schema: {
        tags,
        security,
        operationId: 'privyCallbacks.list',
        summary: 'List stored Privy callbacks',
        description:
          'Newest first, metadata only (never the body). Filter by `state` and `reference_number`. ' +
          'Operators only.',
        querystring: ListCallbacksQuerySchema,
        response: { 200: StoredCallbackListSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.list(request.query),
  )

  app.post(
    '/v1/privy/callbacks/:id/reapply',
    {
      schema: {
        tags,
        security,
        operationId: 'privyCallbacks.reapply',
        summary: 'Apply a stored Privy callback again',
        description:
          'Pushes a verified callback that is `received`, `ignored` or `failed` through the state machines ' +
          'again and answers it as it then stands. A `rejected` callback is never applied, nor an ' +
          '`applied` one again, nor one being applied right now: 409 `CALLBACK_NOT_REAPPLICABLE` with ' +
          '`callback_state`. Operators only.',
        params: CallbackIdParamsSchema,
        response: { 200: StoredCallbackSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => service.reapply(request.params.id, request.log),
  )
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}
