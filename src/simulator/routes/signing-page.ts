import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { SimContext } from '../context.js'
import { HTML_HEADERS, signingNotFoundPage, signingPage } from '../html.js'

const params = z.object({ token: z.string() })

/** The page `signing_url` points to (docs/privy-contract.md §5.1); its token is not the document token. */
export const signingPageRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  app.get('/sign/:token', async (request, reply) => {
    const { token } = params.parse(request.params)
    const document = context.state.documentBySigningToken(token)
    reply.headers(HTML_HEADERS)
    if (document === undefined) return reply.code(404).send(signingNotFoundPage())
    return reply.code(200).send(signingPage(document.documentName, document.status))
  })
}
