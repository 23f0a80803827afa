import type { WebhookEventInput } from '../webhooks/index.js'
import type { RegistrationRecord } from './registration.types.js'

/** The `registration.updated` webhook for a row as it is now: ids and statuses, no PII. */
export function registrationUpdated(record: RegistrationRecord): WebhookEventInput {
  return {
    type: 'registration.updated',
    resourceId: record.id,
    audience: [record.ownerId],
    data: {
      id: record.id,
      reference_number: record.referenceNumber,
      registration_type: record.registrationType,
      status: record.status,
      submission: record.submission,
      privy_id: record.privyId,
      reject_code: record.rejectCode,
      can_resend: record.status === 'rejected' && record.canResend,
      updated_at: record.updatedAt.toISOString(),
    },
  }
}
