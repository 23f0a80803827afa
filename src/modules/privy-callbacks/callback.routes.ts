import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problemResponses } from '../../plugins/openapi-responses.js'
import type { SigningCredentials } from '../../privy/signing.js'
import { CallbackReceiptSchema, PrivyCallbackBodySchema } from './callback.schemas.js'
import type { CallbackService } from './callback.service.js'
import { verifyCallbackSignature } from './callback.signature.js'

export const callbackRoutes: FastifyPluginAsyncZod<{
  service: CallbackService
  credentials: SigningCredentials
  now: () => Date
}> = async (app, { service, credentials, now }) => {
  app.post(
    '/v1/privy/callbacks',
    {
      schema: {
        tags: ['Privy callbacks'],
        summary: 'Receive a Privy callback',
        description:
          "Called by Privy, not by apps: authenticated by Privy's `Timestamp` and `Signature` headers " +
          '(contract §2.3 over the body, within 5 minutes), not by a JWT. A wrong or stale signature ' +
          'answers 401 and applies nothing. Duplicates and stale statuses are acknowledged and ignored.',
        body: PrivyCallbackBodySchema,
        response: { 200: CallbackReceiptSchema, ...problemResponses(400, 401, 413, 415) },
      },
      bodyLimit: 256 * 1024,
      // Before validation: an unsigned body gets 401, and learns nothing about the schema.
      preValidation: async (request) => {
        const header = (name: string) => {
          const value = request.headers[name]
          return typeof value === 'string' ? value : undefined
        }
        verifyCallbackSignature(
          credentials,
          { timestamp: header('timestamp'), signature: header('signature') },
          request.body,
          now(),
        )
      },
    },
    async (request) => service.receive(request.body.event, request.body.data, request.log),
  )
}
