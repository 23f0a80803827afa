import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from '../config/config.js'
import { createClientErrorHandler, headersTimeoutOptions } from '../errors/client-error.js'
import { handleFrameworkError, installErrorHandling } from '../errors/error-handler.js'
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js'
import { observabilityPlugin } from '../observability/plugin.js'
import { traceRequests } from '../observability/tracing.js'
import { installGracefulClose } from '../plugins/graceful-close.js'
import { GatewayLogController } from '../plugins/log-controller.js'
import { installRequestBudget } from '../plugins/request-budget.js'
import { essentialSecurityHeaders, securityPlugin } from '../plugins/security.js'

// No run of 10 digits: a NIK or a phone number sent as a request id would be echoed and logged.
const REQUEST_ID = /^(?!.*\d{10})[\w.:-]{8,128}$/

/** The Fastify instance with the gateway's server options: request ids, proxies, timeouts, early errors. */
export function createFastify(config: Readonly<Config>, logger: FastifyBaseLogger): FastifyInstance {
  return Fastify({
    loggerInstance: logger,
    // A download whose client hangs up after the last byte is a success (log-controller.ts).
    logController: new GatewayLogController(),
    // A caller's X-Request-ID is kept when it looks like one, so traces join up across systems.
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    bodyLimit: 1024 * 1024,
    // request.ip, which the per-address OTP limits count by, believes X-Forwarded-For only from these.
    trustProxy: trustProxyOption(config.server.trustProxy),
    handlerTimeout: config.server.requestTimeoutMs,
    // A URL the router cannot read (bad percent-encoding, an overlong id) is a problem too; no hook
    // runs for it, so it gets its headers here.
    frameworkErrors: (error, request, reply) => {
      reply.headers({ ...essentialSecurityHeaders(config.security), 'x-request-id': request.id })
      return handleFrameworkError(error, request, reply)
    },
    // Fastify's own 503 while closing is plain JSON without Retry-After: installGracefulClose answers.
    return503OnClosing: false,
    // Node's own 400/408/431, before there is a request, are problems too.
    clientErrorHandler: createClientErrorHandler(essentialSecurityHeaders(config.security)),
    http: headersTimeoutOptions(config.server.headersTimeoutMs),
  })
}

/**
 * What every answer goes through, before any route: spans, zod, the request id header, security
 * headers, the request budget, the draining close, problem+json errors and the metrics.
 */
export async function installHttpBasics(app: FastifyInstance, config: Readonly<Config>) {
  // Traces are exported by server.ts (startTracing); the app only makes its spans.
  const tracing = config.tracing.endpoint !== undefined
  if (tracing) traceRequests(app)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Set on arrival (every answer that runs hooks runs this one: a 404, a 401, an error keeps the
  // headers set before it) by a callback hook: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  // First of the hooks: every answer (a 401, a 404, a draining 503) carries the security headers.
  await app.register(securityPlugin, { security: config.security })
  installRequestBudget(app, config.server.requestTimeoutMs)
  const shutdown = installGracefulClose(app, config.server.shutdownGraceMs)
  installErrorHandling(app)
  // Before the routes, whose requests it measures.
  const metrics: GatewayMetrics = createMetrics()
  await app.register(observabilityPlugin, { metrics, listen: config.metrics })
  return { tracing, shutdown, metrics }
}

/** TRUST_PROXY as Fastify takes it: a hop count trusts that many hops nearest the gateway. */
function trustProxyOption(
  trust: boolean | number | readonly string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust
  // The config is frozen; Fastify gets its own copy of the list.
  return typeof trust === 'boolean' ? trust : [...trust]
}
