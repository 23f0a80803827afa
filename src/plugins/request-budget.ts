import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors/app-error.js'

/**
 * REQUEST_TIMEOUT_MS for requests with a body too. Fastify's `handlerTimeout` clears its timer on the
 * request's 'close' event, which Node emits as soon as a body has been read whole (fastify/fastify#6725):
 * every POST would run without a budget. This timer is the same budget, from the first hook until the
 * answer is written: past it the caller gets 503 REQUEST_TIMEOUT (the handler is not interrupted; what
 * it does still lands, and a retry finds it). A response already streaming is left alone.
 */
export function installRequestBudget(app: FastifyInstance, budgetMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return
      // A body still arriving would otherwise be read (and thrown away) after the answer.
      if (!request.raw.complete) reply.header('connection', 'close')
      reply.send(
        new AppError('REQUEST_TIMEOUT', { detail: 'The request took too long', retryAfterSeconds: 1 }),
      )
    }, budgetMs)
    reply.raw.once('close', () => clearTimeout(timer))
    done()
  })
}
