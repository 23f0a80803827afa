import type { GatewayModule, ModuleContext } from '../context.js'
import { noRoutes } from '../context.js'
import { createLimitsRepository } from './limits.repository.js'
import { createLimitsService, type LimitsService } from './limits.service.js'
import { createOtpLimits, type OtpLimits } from './otp-limits.js'

export interface LimitsApi {
  limits: LimitsService
  /** The OTP abuse limits, counted before Privy is called. */
  otp: OtpLimits
}

/** Abuse limits counted in the database, shared by every instance. */
export function createLimitsModule(ctx: ModuleContext): GatewayModule<LimitsApi> {
  const { abuse, jobs } = ctx.config
  const limits = createLimitsService({
    repository: createLimitsRepository(ctx.database.prisma),
    pii: ctx.pii,
    now: ctx.now,
  })
  const otp = createOtpLimits(
    limits,
    {
      sendsPerUserPerHour: abuse.otpSendsPerUserPerHour,
      sendsPerPhonePerHour: abuse.otpSendsPerPhonePerHour,
      sendsPerPhonePerDay: abuse.otpSendsPerPhonePerDay,
      sendsPerPhoneBlockPerHour: abuse.otpSendsPerPhoneBlockPerHour,
      sendsPerIpPerHour: abuse.otpSendsPerIpPerHour,
      sendsPerEmailPerHour: abuse.otpSendsPerEmailPerHour,
      sendsPerEmailPerDay: abuse.otpSendsPerEmailPerDay,
      sendsPerMerchantPerDay: abuse.otpDailyBudget,
    },
    ctx.logger,
  )
  return {
    routes: noRoutes,
    api: { limits, otp },
    // Abuse-limit counters whose window has ended, in batches until none is left.
    loops: [
      {
        name: 'rate-limit-purge',
        intervalMs: jobs.housekeepingIntervalMs,
        sweep: () => limits.purgeExpired(),
        logger: ctx.logger,
      },
    ],
    close: async () => undefined,
  }
}
