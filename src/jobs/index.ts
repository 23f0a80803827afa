import type { BackgroundLoopOptions } from '../lib/background-loop.js'
import type { ModuleContext } from '../modules/context.js'
import type { DocumentJobs } from '../modules/documents/index.js'
import type { OtpJobs } from '../modules/otp/index.js'
import type { CallbackJobs } from '../modules/privy-callbacks/index.js'
import type { RegistrationJobs } from '../modules/registration/index.js'
import { createHousekeeping } from './housekeeping.js'
import { createPoller } from './poller.js'
import { createReconciler } from './reconciler.js'

/**
 * The background work that spans modules (docs/flows.md#unknown-outcomes), over what each module's
 * API hands its jobs. Every loop leases its rows in the database, so any number of instances may run them.
 */
export function createJobLoops(
  ctx: ModuleContext,
  modules: {
    registrations: RegistrationJobs
    documents: DocumentJobs
    otps: OtpJobs
    callbacks: CallbackJobs
    purgeExpiredIdempotencyKeys: () => Promise<number>
  },
): BackgroundLoopOptions[] {
  const { config, now, logger } = ctx
  const { registrations, documents } = modules
  return [
    {
      name: 'reconciler',
      intervalMs: config.jobs.reconcileIntervalMs,
      logger,
      sweep: createReconciler({
        registrations,
        documents,
        otps: modules.otps,
        now,
        logger,
        inFlightBudgetMs: ctx.inFlightBudgetMs,
        settleBoundMs: config.jobs.unknownSettleMinutes * 60_000,
      }).sweep,
    },
    {
      name: 'poller',
      intervalMs: config.jobs.pollIntervalMs,
      logger,
      sweep: createPoller({
        registrations,
        documents,
        now,
        logger,
        staleAfterMs: config.jobs.pollStaleAfterSeconds * 1000,
      }).sweep,
    },
    {
      name: 'housekeeping',
      intervalMs: config.jobs.housekeepingIntervalMs,
      logger,
      sweep: createHousekeeping({
        purgeExpiredIdempotencyKeys: modules.purgeExpiredIdempotencyKeys,
        registrations,
        callbacks: modules.callbacks,
        now,
        logger,
        retentionDays: config.pii.retentionDays,
        rejectedCallbackRetentionHours: config.callbacks.rejectedRetentionHours,
      }).sweep,
    },
  ]
}
