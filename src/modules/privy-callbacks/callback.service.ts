import type { FastifyBaseLogger } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import type { DocumentSync } from '../documents/documents.sync.js'
import type { RegistrationService } from '../registration/registration.service.js'
import { DocumentCallbackDataSchema, RegisterCallbackDataSchema } from './callback.schemas.js'

export interface CallbackServiceDeps {
  registrations: RegistrationService
  documents: DocumentSync
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
      const parsed = DocumentCallbackDataSchema.safeParse(data)
      if (!parsed.success) throw notAStatus(parsed.error.issues, 'a document status')
      const applied = await deps.documents.applyCallback(parsed.data.reference_number, parsed.data)
      log.info(
        { event, reference_number: parsed.data.reference_number, status: parsed.data.status, applied },
        'privy callback received',
      )
      return { received: true, applied }
    }
    const parsed = RegisterCallbackDataSchema.safeParse(data)
    if (!parsed.success) throw notAStatus(parsed.error.issues, 'a registration status')
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

function notAStatus(issues: Array<{ path: PropertyKey[]; message: string }>, what: string): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `The callback data is not ${what}`,
    errors: issues.map((issue) => ({
      path: ['data', ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  })
}
