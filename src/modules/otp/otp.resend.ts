import { AppError } from '../../errors/app-error.js'
import {
  alreadyValidated,
  locked,
  otpOutcomeUnknown,
  otpSendRefusal,
  privyResendWaitSeconds,
  tooEarly,
} from '../../errors/upstream-failure/index.js'
import type { Principal } from '../../lib/principal.js'
import type { LateAnswer, OtpTransaction as UpstreamOtp } from '../../privy/index.js'
import { PrivyError, PrivyResponseValidationError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import type { RecipientKeys } from '../limits/index.js'
import { assumedSend, OTP_RESEND_AFTER_MS, sendOf } from './otp.answers.js'
import type { OtpServiceDeps, SendOrigin } from './otp.deps.js'
import type { OtpRecord } from './otp.repository.js'
import type { OtpTransactionView } from './otp.schemas.js'
import type { SendingHelpers } from './otp.send.js'
import { effectiveStatus, toOtpView } from './otp.view.js'

/**
 * A resend: a new code on a known transaction. The right to resend is claimed in the database (with
 * the abuse-limit count, in one transaction), so concurrent resends, keyed or not, on any instance,
 * make one SMS; the others are told to wait. A resend whose answer is lost counts as sent: the
 * transaction stays usable (its id is known), and the next resend waits its 60 s.
 */
export function createOtpResend(deps: OtpServiceDeps, helpers: SendingHelpers) {
  const { otps, registrations, privy, now } = deps
  const { isAwaiting, lateAnswerDeadline, pending, findOwn } = helpers

  async function resend(
    principal: Principal,
    id: string,
    origin: SendOrigin,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    refuseResend(record)
    const transactionId = record.upstreamTransactionId ?? ''
    const recipient = await recipientOf(record)
    const at = now()
    const claimed = await otps.claimResend(
      id,
      {
        now: at,
        holdUntil: new Date(at.getTime() + deps.inFlightBudgetMs),
        resendAvailableAt: new Date(at.getTime() + OTP_RESEND_AFTER_MS),
      },
      (db) => deps.limits.takeSend({ principal, ip: origin.ip, channel: record.otpChannel, recipient }, db),
    )
    if (!claimed) {
      // Another request (of any instance) took it first: answer from what it left.
      refuseResend(await findOwn(principal, id))
      throw pending(record)
    }
    const taken = claimed.charged
    const input = { transaction_id: transactionId }
    const onLateAnswer = async (late: LateAnswer<UpstreamOtp>) => {
      if (late.ok) await otps.recordSend(id, sendOf(late.data))
      else await otps.awaitLateAnswer(id, null)
    }
    let upstream: UpstreamOtp
    try {
      upstream =
        record.otpType === 'document_signing'
          ? await privy.documents.otp.resend(input, { onLateAnswer })
          : await privy.registrations.otp.resend(input, { onLateAnswer })
    } catch (error) {
      const assumed = assumedSend(now(), record.requestCount + 1, record.maxRequests)
      if (error instanceof PrivyResponseValidationError) {
        // Privy answered 201: the new code went, only its details are unreadable.
        return toOtpView(await otps.recordSend(id, assumed), now())
      }
      if (error instanceof PrivyError && error.outcome === 'unknown') {
        // Counted as sent: the SMS may be on its way, and a second one must wait its turn. Bound only
        // now: after a refusal nothing was sent, and a retry with the key runs afresh.
        await claim?.bind(id)
        const lateUntil = lateAnswerDeadline(error)
        await otps.recordSend(id, assumed, lateUntil)
        const retryAt = new Date(now().getTime() + 2_000)
        throw otpOutcomeUnknown(error, id, { next_action: 'validate_otp', retry_at: retryAt }, now())
      }
      // Refused: nothing was sent. The next resend is as before, or when Privy says.
      const privyWait = privyResendWaitSeconds(error)
      await otps.releaseResend(
        id,
        privyWait === undefined ? record.resendAvailableAt : new Date(now().getTime() + privyWait * 1000),
      )
      await taken.release()
      throw otpSendRefusal(error)
    }
    // Outside the try: Privy sent it; a failing write must not give the send back.
    return toOtpView(await otps.recordSend(id, sendOf(upstream)), now())
  }

  /** Why a resend cannot go now, in the order that tells the app the most. */
  function refuseResend(record: OtpRecord): void {
    const status = effectiveStatus(record, now())
    if (status === 'validated') throw alreadyValidated()
    if (status === 'locked') throw locked()
    if (!record.upstreamTransactionId || isAwaiting(record)) throw pending(record)
    if (record.requestCount >= record.maxRequests) {
      throw new AppError('OTP_SEND_LIMIT_REACHED', {
        detail: `All ${record.maxRequests} sends of this OTP are used; request a new OTP with POST /v1/otp`,
      })
    }
    const waitMs = record.resendAvailableAt.getTime() - now().getTime()
    if (waitMs > 0) throw tooEarly(Math.ceil(waitMs / 1000))
  }

  /** The registration the code goes to: its lookup hashes are what the limits count. */
  async function recipientOf(record: OtpRecord): Promise<RecipientKeys | null> {
    if (record.registrationId) return registrations.findVisible(record.registrationId)
    if (record.otpType !== 'document_signing') return null
    const seat = await deps.signing.signableBy(record.ownerId, record.documentIds).catch(() => null)
    if (!seat) return null
    return registrations.findVerifiedSigner({ privyId: seat.privyId })
  }

  /** A retry under the Idempotency-Key of a resend whose outcome was unknown: never a second SMS. */
  async function resumeResend(principal: Principal, id: string): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    if (isAwaiting(record)) throw pending(record)
    return toOtpView(record, now())
  }

  return { resend, resumeResend }
}
