import type { FastifyPluginAsync } from 'fastify'
import { clientCredentialsMatch, issueToken } from '../auth.js'
import type { SimContext } from '../context.js'
import { SimError } from '../errors.js'
import { jsonObjectBody } from '../json-body.js'
import { parseBody, tokenSchema } from '../schemas.js'

/** docs/privy-contract.md §2.1 `POST /oauth2/api/v1/token`: client credentials in, bearer token out. */
export const tokenRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  app.post('/oauth2/api/v1/token', async (request, reply) => {
    const input = parseBody(tokenSchema, jsonObjectBody(request))
    if (!clientCredentialsMatch(context, input.client_id, input.client_secret)) {
      throw new SimError(401, ['Invalid client credentials'])
    }
    return reply.code(201).send({ message: 'Access token issued', data: issueToken(context) })
  })
}
