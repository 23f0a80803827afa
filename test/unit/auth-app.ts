import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.js'
import { installErrorHandling } from '../../src/errors/error-handler.js'
import { authPlugin, principalOf } from '../../src/plugins/auth.js'

/** The auth plugin alone, with the real problem+json handler, and one route that answers the principal. */
export async function authApp(
  auth: Partial<Config['auth']> & Pick<Config['auth'], 'jwt'>,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  installErrorHandling(app)
  await app.register(authPlugin, { auth: { opsApiKeyHashes: [], ...auth } })
  app.get('/whoami', { onRequest: app.authenticate }, async (request) => principalOf(request))
  await app.ready()
  return app
}

export interface AuthAnswer {
  status: number
  headers: Record<string, unknown>
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any
}

export async function whoami(app: FastifyInstance, headers: Record<string, string>): Promise<AuthAnswer> {
  const response = await app.inject({ method: 'GET', url: '/whoami', headers })
  return { status: response.statusCode, headers: response.headers, json: response.json() }
}

/** The problem body without what differs per request: what a caller can compare between refusals. */
export function genericPart(answer: AuthAnswer): Record<string, unknown> {
  const { request_id: _requestId, ...rest } = answer.json
  return rest
}
