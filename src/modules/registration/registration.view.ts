import { submissionOf } from '../submission.js'
import type { RegistrationView } from './registration.schemas.js'
import type { RegistrationRecord } from './registration.types.js'

type NextAction = RegistrationView['next_action']

/**
 * What the app does next, in every state of docs/flows.md#registration-state-machine. `liveOtp`:
 * an OTP of this registration can still be validated (active, not expired); without one a
 * `waiting_otp` registration needs an OTP sent first, never a code typed.
 */
function nextAction(record: RegistrationRecord, liveOtp: boolean): NextAction {
  // Privy never confirmed it in time: an operator follows it up, the person starts anew.
  if (record.submission === 'unresolved') return 'register_again'
  if (record.submission !== 'submitted') return 'wait'
  switch (record.status) {
    case 'pending':
      return record.registrationUrl ? 'open_registration_url' : 'wait'
    case 'waiting_otp':
      return liveOtp ? 'validate_otp' : 'request_otp'
    case 'waiting_verification':
      return 'wait'
    case 'rejected':
      // A hard reject ends this registration: the person may start a new one (docs/flows.md#verification-and-resend).
      return record.canResend ? 'resend' : 'register_again'
    case 'verified':
      return 'none'
  }
}

/** The merchant-facing shape: no token, no NIK, no clear contact data. */
export function toRegistrationView(record: RegistrationRecord, liveOtp = false): RegistrationView {
  return {
    id: record.id,
    reference_number: record.referenceNumber,
    registration_type: record.registrationType,
    status: record.status,
    reject_reason:
      record.rejectCode && record.rejectReason
        ? { code: record.rejectCode, reason: record.rejectReason }
        : null,
    can_resend: record.status === 'rejected' && record.canResend,
    privy_id: record.privyId,
    registration_url: record.status === 'pending' ? record.registrationUrl : null,
    next_action: nextAction(record, liveOtp),
    submission: submissionOf(record.submission),
    email: record.emailMasked,
    phone: record.phoneMasked,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}
