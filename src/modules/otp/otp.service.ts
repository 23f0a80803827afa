import { notFound } from '../../errors/app-error.js'
import { otpPending, type PendingStep } from '../../errors/upstream-failure/index.js'
import { lateAnswerDeadline as deadlineOf, isAwaitingAnswer } from '../../lib/late-answer.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { OtpServiceDeps } from './otp.deps.js'
import type { OtpRecord } from './otp.repository.js'
import { createOtpResend } from './otp.resend.js'
import { createOtpSend, type SendingHelpers } from './otp.send.js'
import { createOtpValidation } from './otp.validate.js'

/**
 * Runs OTPs at Privy and mirrors Privy's limits locally, so a user gets a precise answer (when the
 * code expires, when a resend is allowed, how many tries are left) and a call that Privy would
 * refuse is refused without spending an SMS. One operation a file: otp.send.ts, otp.validate.ts,
 * otp.resend.ts; what they share (ownership, the clock's view of a row) is here.
 */
export function createOtpService(deps: OtpServiceDeps) {
  const { otps, now } = deps

  const isAwaiting = (record: OtpRecord) => isAwaitingAnswer(record, now(), deps.inFlightBudgetMs)
  const lateAnswerDeadline = (error: unknown) => deadlineOf(error, now(), deps.lateAnswerMs)

  /**
   * What the app should do about a transaction whose last call has no known outcome: enter the code
   * while Privy may still answer (or the transaction is known), else wait until a send whose answer
   * was lost is void (its `expiresAt`), when a new one may go.
   */
  function pendingStep(record: OtpRecord): PendingStep {
    if (record.submission === 'submitted' || isAwaiting(record)) {
      return { next_action: 'validate_otp', retry_at: new Date(now().getTime() + 2_000) }
    }
    return { next_action: 'wait', retry_at: record.expiresAt }
  }
  const pending = (record: OtpRecord) => otpPending(record.id, pendingStep(record), now())

  async function findOwn(principal: Principal, id: string): Promise<OtpRecord> {
    const record = await otps.findVisible(id, ownerScope(principal).ownerId)
    // A signature is the signer's own act: not even an operator completes it for them.
    if (!record || (record.otpType === 'document_signing' && principal.kind !== 'user')) {
      throw notFound('OTP transaction')
    }
    return record
  }

  const helpers: SendingHelpers = { isAwaiting, lateAnswerDeadline, pending, findOwn }
  return {
    ...createOtpSend(deps, helpers),
    ...createOtpResend(deps, helpers),
    ...createOtpValidation(deps, helpers),
  }
}

export type OtpService = ReturnType<typeof createOtpService>

export type { OtpServiceDeps, SendOrigin } from './otp.deps.js'
