import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { describeMigrationStatus, type MigrationStatus } from '../db/migration-status.js'

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.enum(['ok', 'failed', 'skipped'])).optional(),
    /** Why a check failed, where the reason is safe and useful to show (never a driver's message). */
    causes: z
      .record(
        z.string(),
        z.string().meta({
          example:
            'the database lacks 1 migration this release needs (the latest: 20261207125953_registration_email_lookup): run `npm run db:migrate`',
        }),
      )
      .optional(),
  })
  .meta({ id: 'Health' })

/** A readiness failure whose message an operator may read in the answer (it holds no internals). */
export class NotReady extends Error {}

/**
 * The migrations check: passes once the database holds every migration this release ships, and is
 * then remembered (migrations are never taken back), so probes cost nothing after the first pass.
 */
export function migrationsCheck(status: () => Promise<MigrationStatus>): () => Promise<void> {
  let migrated = false
  return async () => {
    if (migrated) return
    const problem = describeMigrationStatus(await status())
    if (problem) throw new NotReady(problem)
    migrated = true
  }
}

export interface ReadinessChecks {
  /** Throws NotReady while the gateway is starting (src/plugins/startup.ts); the others wait until it passes. */
  startup?: () => Promise<void>
  database: () => Promise<void>
  /** Throws NotReady naming what is missing when the database lacks this release's migrations. */
  migrations: () => Promise<void>
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
        summary:
          "Readiness: the database answers with this release's migrations (and Privy, when configured)",
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
      const { results, causes } = await runChecks(app, checks)
      const ready = Object.values(results).every((result) => result !== 'failed')
      if (!ready) {
        request.log.warn({ checks: results, causes }, 'not ready')
        reply.header('retry-after', '5')
      }
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ok' : 'unavailable',
        checks: results,
        ...(Object.keys(causes).length > 0 ? { causes } : {}),
      })
    },
  )
}

async function runChecks(app: FastifyInstance, { startup, ...checks }: ReadinessChecks) {
  const results: Record<string, 'ok' | 'failed' | 'skipped'> = {}
  const causes: Record<string, string> = {}
  // While starting, the database may still be opening: a probe would wait on it instead of answering.
  if (startup) {
    const failed = await startup().then(
      () => false,
      (error: unknown) => {
        causes.startup = error instanceof NotReady ? error.message : 'failed'
        return true
      },
    )
    results.startup = failed ? 'failed' : 'ok'
    if (failed) {
      for (const name of Object.keys(checks)) results[name] = 'skipped'
      return { results, causes }
    }
  }
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
        results[name] = 'failed'
        if (error instanceof NotReady) causes[name] = error.message
        else app.log.warn({ err: error, check: name }, 'readiness check failed')
      }
    }),
  )
  return { results, causes }
}
