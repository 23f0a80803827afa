import type { GatewayModule, ModuleContext } from '../context.js'
import type { DocumentSigning } from '../documents/index.js'
import type { IdempotencyService } from '../idempotency/index.js'
import type { OtpLimits } from '../limits/index.js'
import type { RegistrationApi } from '../registration/index.js'
import { createOtpRepository, type OtpRepository } from './otp.repository.js'
import { otpRoutes } from './otp.routes.js'
import { createOtpService } from './otp.service.js'

/** What the app's background jobs (src/jobs) may do with OTP sends: free those that lost their request. */
export type OtpJobs = Pick<OtpRepository, 'failLostSends'>

/**
 * One-time passwords, for a registration or for signing documents. Registrations and documents are
 * asked only through their APIs: the OTP module moves neither itself.
 */
export function createOtpModule(
  ctx: ModuleContext,
  deps: {
    idempotency: IdempotencyService
    registrations: RegistrationApi
    documents: { signing: DocumentSigning }
    limits: { otp: OtpLimits }
  },
): GatewayModule<{ jobs: OtpJobs }> {
  const otps = createOtpRepository(ctx.database.prisma)
  const service = createOtpService({
    otps,
    registrations: deps.registrations,
    signing: deps.documents.signing,
    privy: ctx.privy,
    now: ctx.now,
    lateAnswerMs: ctx.config.privy.lateAnswerMs,
    inFlightBudgetMs: ctx.inFlightBudgetMs,
    limits: deps.limits.otp,
  })
  return {
    routes: async (app) => {
      await app.register(otpRoutes, { service, idempotency: deps.idempotency })
    },
    api: { jobs: { failLostSends: otps.failLostSends } },
    loops: [],
    close: async () => undefined,
  }
}
