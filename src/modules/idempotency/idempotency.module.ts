import fp from 'fastify-plugin'
import type { GatewayModule, ModuleContext } from '../context.js'
import { createIdempotencyRepository } from './idempotency.repository.js'
import { createIdempotencyService, type IdempotencyService } from './idempotency.service.js'

/** Idempotency keys: the routes of other modules claim them; the hook here settles them. */
export function createIdempotencyModule(ctx: ModuleContext): GatewayModule<IdempotencyService> {
  const { config } = ctx
  const service = createIdempotencyService({
    repository: createIdempotencyRepository(ctx.database.prisma, ctx.database.raw),
    now: ctx.now,
    ttlHours: config.idempotency.ttlHours,
    leaseMs: config.server.requestTimeoutMs + 5_000,
    fingerprint: (content) => ctx.pii.lookupHash('idempotency', content),
  })
  return {
    // Not encapsulated: the hook that stores a key with its response runs for every route.
    routes: fp(async (app) => service.install(app)),
    api: service,
    loops: [],
    close: async () => undefined,
  }
}
