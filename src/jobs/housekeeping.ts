import type { FastifyBaseLogger } from 'fastify'
import type { CallbackJobs } from '../modules/privy-callbacks/index.js'
import type { RegistrationJobs } from '../modules/registration/index.js'

export interface HousekeepingDeps {
  purgeExpiredIdempotencyKeys: () => Promise<number>
  registrations: Pick<RegistrationJobs, 'erasePiiOf'>
  callbacks: CallbackJobs
  now: () => Date
  logger: FastifyBaseLogger
  /** Personal data of what ended is kept this long (PII_RETENTION_DAYS). */
  retentionDays: number
  /** Refused Privy callbacks are kept this long (CALLBACK_REJECTED_RETENTION_HOURS). */
  rejectedCallbackRetentionHours: number
}

/**
 * What the gateway must not keep: expired idempotency keys; the NIK and date of birth of
 * registrations that ended more than the retention ago, or began more than twice the retention ago
 * and never ended (ids and statuses stay); the raw bodies of
 * Privy callbacks of that age (they name email and phone), and refused callbacks outright after
 * their own, shorter retention.
 */
export function createHousekeeping(deps: HousekeepingDeps) {
  async function sweep(): Promise<number> {
    const now = deps.now()
    const before = new Date(now.getTime() - deps.retentionDays * 86_400_000)
    const keys = await deps.purgeExpiredIdempotencyKeys()
    const registrations = await deps.registrations.erasePiiOf({
      endedBefore: before,
      // One that never ended is kept twice as long from its start, then treated as abandoned.
      abandonedBefore: new Date(before.getTime() - deps.retentionDays * 86_400_000),
      now,
    })
    const callbacks = await deps.callbacks.eraseOlderThan(
      before,
      new Date(now.getTime() - deps.rejectedCallbackRetentionHours * 3_600_000),
    )
    if (keys + registrations + callbacks.erased + callbacks.deleted > 0) {
      deps.logger.info(
        {
          idempotency_keys_purged: keys,
          registrations_erased: registrations,
          callback_bodies_erased: callbacks.erased,
          refused_callbacks_deleted: callbacks.deleted,
        },
        'housekeeping: expired data removed',
      )
    }
    return 0
  }
  return { sweep }
}
