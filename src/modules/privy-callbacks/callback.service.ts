import type { FastifyBaseLogger } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import type { RegistrationService } from '../registration/registration.service.js'
import { RegisterCallbackDataSchema } from './callback.schemas.js'

export interface CallbackServiceDeps {
  registrations: RegistrationService
}

/**
 * Applies a verified Privy callback. Callbacks may arrive twice, late or out of order: the
 * registration state machine ignores anything that is not a forward move, so applying is safe.
 */
export function createCallbackService(deps: CallbackServiceDeps) {
  async function receive(
    event: 'register' | 'document',
    data: unknown,
    log: FastifyBaseLogger,
  ): Promise<{ received: true; applied: boolean }> {
    if (event === 'document') {
      // Documents have no gateway records yet; acknowledge so Privy does not retry forever.
      log.info({ event }, 'privy callback for a document ignored')
      return { received: true, applied: false }
    }
    const parsed = RegisterCallbackDataSchema.safeParse(data)
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', {
        detail: 'The callback data is not a registration status',
        errors: parsed.error.issues.map((issue) => ({
          path: `data.${issue.path.join('.')}`,
          message: issue.message,
        })),
      })
    }
    const { reference_number, status, privy_id, reject_reason, resend, register_token, updated_at } =
      parsed.data
    const applied = await deps.registrations.applyUpstream(reference_number, {
      status,
      privy_id: privy_id ?? undefined,
      reject_reason: reject_reason ?? undefined,
      resend: resend ?? undefined,
      register_token,
      updated_at,
    })
    log.info({ event, reference_number, status, applied }, 'privy callback received')
    return { received: true, applied }
  }

  return { receive }
}

export type CallbackService = ReturnType<typeof createCallbackService>
