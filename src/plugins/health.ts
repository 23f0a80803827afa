import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.enum(['ok', 'failed', 'skipped'])).optional(),
  })
  .meta({ id: 'Health' })

export interface ReadinessChecks {
  database: () => Promise<void>
  /** Present when the gateway talks to a real Privy: a token fetch proves credentials and reach. */
  privy?: () => Promise<void>
}

export interface HealthOptions {
  checks: ReadinessChecks
  /** True once the gateway is shutting down: it is not ready, whatever the checks would say. */
  isDraining?: () => boolean
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { checks, isDraining }) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['Health'],
        operationId: 'health.live',
        summary: 'Liveness: the process answers',
        response: { 200: HealthSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['Health'],
        operationId: 'health.ready',
        summary: 'Readiness: the database (and Privy, when configured) answer',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (request, reply) => {
      // While draining, the clients may be closing already: a load balancer only needs the 503.
      if (isDraining?.()) {
        return reply
          .code(503)
          .header('retry-after', '2')
          .send({ status: 'unavailable' as const })
      }
      const results = await runChecks(app, checks)
      const ready = Object.values(results).every((result) => result !== 'failed')
      if (!ready) {
        request.log.warn({ checks: results }, 'not ready')
        reply.header('retry-after', '5')
      }
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: results })
    },
  )
}

async function runChecks(app: FastifyInstance, checks: ReadinessChecks) {
  const results: Record<string, 'ok' | 'failed' | 'skipped'> = {}
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      if (!check) {
        results[name] = 'skipped'
        return
      }
      try {
        await check()
        results[name] = 'ok'
      } catch (error) {
        app.log.warn({ err: error, check: name }, 'readiness check failed')
        results[name] = 'failed'
      }
    }),
  )
  return results
}
