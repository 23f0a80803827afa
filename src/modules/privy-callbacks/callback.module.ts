import type { GatewayModule, ModuleContext } from '../context.js'
import type { LimitsService } from '../limits/index.js'
import { type CallbackRepository, createCallbackRepository } from './callback.repository.js'
import { callbackRoutes } from './callback.routes.js'
import { type CallbackServiceDeps, createCallbackService } from './callback.service.js'

/** What the app's background jobs (src/jobs) may do with stored callbacks: erase them after retention. */
export type CallbackJobs = Pick<CallbackRepository, 'eraseOlderThan'>

/** Privy's callbacks in: verified, stored, then applied to registrations and documents by a loop. */
export function createPrivyCallbacksModule(
  ctx: ModuleContext,
  deps: {
    registrations: CallbackServiceDeps['registrations']
    documents: CallbackServiceDeps['documents']
    limits: { limits: Pick<LimitsService, 'take'> }
  },
): GatewayModule<{ jobs: CallbackJobs }> {
  const { config } = ctx
  const repository = createCallbackRepository(ctx.database.prisma)
  const service = createCallbackService({
    repository,
    registrations: deps.registrations,
    documents: deps.documents,
    pii: ctx.pii,
    credentials: config.privy.credentials,
    limits: deps.limits.limits,
    rejected: {
      storedPerAddressPerHour: config.callbacks.rejectedStoredPerAddressPerHour,
      storedPerHour: config.callbacks.rejectedStoredPerHour,
    },
    now: ctx.now,
  })
  return {
    routes: async (app) => {
      await app.register(callbackRoutes, { service })
    },
    api: { jobs: { eraseOlderThan: repository.eraseOlderThan } },
    loops: [
      {
        name: 'privy-callbacks',
        intervalMs: config.jobs.callbackApplyIntervalMs,
        sweep: () => service.sweep(ctx.logger),
        logger: ctx.logger,
      },
    ],
    close: async () => undefined,
  }
}
