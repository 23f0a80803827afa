import type { OtpRecord } from './otp.repository.js'
import type { OtpTransactionView } from './otp.schemas.js'

/** The status a client should act on: an active transaction past its expiry is expired. */
export function effectiveStatus(record: OtpRecord, now: Date): OtpRecord['status'] {
  return record.status === 'active' && now >= record.expiresAt ? 'expired' : record.status
}

export function toOtpView(record: OtpRecord, now: Date): OtpTransactionView {
  return {
    id: record.id,
    otp_type: record.otpType,
    otp_channel: record.otpChannel,
    status: effectiveStatus(record, now),
    registration_id: record.registrationId,
    document_ids: record.documentIds,
    expires_at: record.expiresAt.toISOString(),
    resend_available_at: record.resendAvailableAt.toISOString(),
    requests_left: Math.max(record.maxRequests - record.requestCount, 0),
    attempts_left: record.attemptsLeft,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}
