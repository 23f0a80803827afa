import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors/app-error.js'
import { sendProblem } from '../errors/error-handler.js'

/** Seconds a client is asked to wait before retrying a request refused because the gateway is stopping. */
const DRAINING_RETRY_AFTER_SECONDS = 2

/**
 * Graceful close. From the start of app.close() the listener is closed (new connections are
 * refused); a request that still arrives on an open connection is answered 503 problem+json with
 * Retry-After and `Connection: close`, /health/ready answers 503 so a load balancer stops sending,
 * and every response closes its connection, so that no kept-alive socket holds the server open.
 * Requests in flight finish; a connection still open after `graceMs` (a request that is not done,
 * a client that went quiet) is cut, which is how one budget bounds the drain.
 */
export function installGracefulClose(app: FastifyInstance, graceMs: number): { isDraining: () => boolean } {
  let draining = false
  let cut: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    draining = true
    cut = setTimeout(() => {
      app.log.warn({ graceMs }, 'shutdown budget spent: cutting the connections still open')
      app.server.closeAllConnections()
    }, graceMs)
    cut.unref()
  })
  // onClose runs once the server has closed: every connection is gone already.
  app.addHook('onClose', async () => clearTimeout(cut))
  app.addHook('onRequest', async (request, reply) => {
    if (!draining || request.url.startsWith('/health/')) return
    reply.header('connection', 'close')
    return sendProblem(
      request,
      reply,
      new AppError('SERVICE_UNAVAILABLE', {
        detail: 'The gateway is shutting down; retry the request',
        retryAfterSeconds: DRAINING_RETRY_AFTER_SECONDS,
      }),
    )
  })
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close')
  })
  return { isDraining: () => draining }
}
