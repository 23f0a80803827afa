import type { GatewayModule, ModuleContext } from '../context.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { createRegistrationApi } from './registration.api.js'
import {
  createRegistrationCache,
  type RegistrationCache,
  withRegistrationCache,
} from './registration.cache.js'
import { createRegistrationRepository, type RegistrationRepository } from './registration.repository.js'
import { registrationRoutes } from './registration.routes.js'
import { createRegistrationService, type RegistrationService } from './registration.service.js'

/** What the app's background jobs (src/jobs) may do with registrations: lease, settle, refresh, erase. */
export type RegistrationJobs = Pick<
  RegistrationRepository,
  'leaseUnsettled' | 'markUnresolved' | 'markUnknown' | 'leaseStale' | 'erasePiiOf'
> &
  Pick<RegistrationService, 'refreshForPoller'>

export type RegistrationModuleApi = ReturnType<typeof createRegistrationApi> &
  Pick<RegistrationService, 'applyUpstream'> & {
    jobs: RegistrationJobs
    /** Kept current by the app's record-change listener (src/db/record-cache-listener.ts). */
    recordCache: RegistrationCache
  }

/** Registrations: the person's identity sent to Privy, and the status Privy reports back. */
export function createRegistrationModule(
  ctx: ModuleContext,
  deps: { idempotency: IdempotencyService },
): GatewayModule<RegistrationModuleApi> {
  const { config } = ctx
  // Status reads served from memory while nothing changed (README, Benchmark: "The record cache").
  const recordCache = createRegistrationCache(config.database.recordCache)
  const repository = withRegistrationCache(
    createRegistrationRepository(ctx.database.prisma, ctx.pii, ctx.database.raw),
    recordCache,
  )
  const service = createRegistrationService({
    repository,
    privy: ctx.privy,
    now: ctx.now,
    refreshAfterSeconds: config.registration.refreshAfterSeconds,
    imageLimits: config.registration,
    merchantRaEnabled: config.privy.merchantRaEnabled,
    pii: ctx.pii,
    lateAnswerMs: config.privy.lateAnswerMs,
    inFlightBudgetMs: ctx.inFlightBudgetMs,
    answers: ctx.answers,
  })
  return {
    routes: async (app) => {
      await app.register(registrationRoutes, {
        service,
        idempotency: deps.idempotency,
        imageLimits: config.registration,
      })
    },
    api: {
      ...createRegistrationApi(repository),
      applyUpstream: service.applyUpstream,
      recordCache,
      jobs: {
        leaseUnsettled: repository.leaseUnsettled,
        markUnresolved: repository.markUnresolved,
        markUnknown: repository.markUnknown,
        leaseStale: repository.leaseStale,
        erasePiiOf: repository.erasePiiOf,
        refreshForPoller: service.refreshForPoller,
      },
    },
    loops: [],
    close: async () => undefined,
  }
}
