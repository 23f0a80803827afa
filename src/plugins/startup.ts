import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors/app-error.js'
import { sendProblem } from '../errors/error-handler.js'
import { NotReady } from './health.js'

/** Seconds a client is asked to wait before retrying a request that came while the gateway starts. */
const STARTING_RETRY_AFTER_SECONDS = 2

/**
 * Liveness before readiness: the gateway listens while its database still opens (a new PGlite data
 * directory takes seconds, a busy machine more), so /health/live answers at once. Until `started`
 * resolves, /health/ready answers 503 naming the cause, and every other route 503 problem+json with
 * Retry-After, rather than holding the request until the database can take it. A `started` that
 * rejects is the caller's to report (server.ts exits); readiness then names the failure.
 */
export function installStartupGate(app: FastifyInstance, started: Promise<void>): () => Promise<void> {
  let state: 'starting' | 'started' | 'failed' = 'starting'
  started.then(
    () => {
      state = 'started'
    },
    () => {
      state = 'failed'
    },
  )
  // A callback hook, not an async one: once started it is a comparison per request, not a promise.
  app.addHook('onRequest', (request, reply, done) => {
    if (state === 'started' || request.url.startsWith('/health/')) return done()
    // Answered here: the request goes no further (`done` is not called).
    sendProblem(
      request,
      reply,
      new AppError('SERVICE_UNAVAILABLE', {
        detail: 'The gateway is starting (its database is opening); retry the request',
        retryAfterSeconds: STARTING_RETRY_AFTER_SECONDS,
      }),
    )
  })
  return async () => {
    if (state === 'starting') throw new NotReady('starting: the database is opening')
    if (state === 'failed') throw new NotReady('start-up failed: see the log')
  }
}
