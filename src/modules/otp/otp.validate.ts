import { AppError } from '../../errors/app-error.js'
import {
  alreadyValidated,
  countedByPrivy,
  expired,
  locked,
  otpOutcomeUnknown,
  otpValidationRefusal,
} from '../../errors/upstream-failure/index.js'
import type { Principal } from '../../lib/principal.js'
import type { LateAnswer } from '../../privy/index.js'
import { PrivyError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { OTP_MAX_ATTEMPTS } from './otp.answers.js'
import type { OtpServiceDeps } from './otp.deps.js'
import type { OtpRecord } from './otp.repository.js'
import type { OtpTransactionView } from './otp.schemas.js'
import type { SendingHelpers } from './otp.send.js'
import { effectiveStatus, toOtpView } from './otp.view.js'

/**
 * Checking a code at Privy (docs/privy-contract.md §4.1): the local limits first, so a guess Privy would refuse
 * is refused without calling it; a right code moves the registration or records the signatures.
 */
export function createOtpValidation(deps: OtpServiceDeps, helpers: SendingHelpers) {
  const { otps, registrations, privy, now } = deps
  const { isAwaiting, lateAnswerDeadline, pending, findOwn } = helpers

  async function validate(
    principal: Principal,
    id: string,
    code: string,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    // A send whose answer is lost has no code to check, even once its wait is over: say what to do.
    if (!record.upstreamTransactionId) throw pending(record)
    refuseUnlessUsable(record)
    const transactionId = record.upstreamTransactionId
    if (!transactionId || isAwaiting(record)) throw pending(record)
    // Concurrent guesses, on any instance, cannot outrun the attempts Privy allows.
    const check = await deps.limits.takeCheck(record, OTP_MAX_ATTEMPTS)
    const input = { transaction_id: transactionId, otp_code: code }
    let signerPrivyId: string | undefined
    const onLateAnswer = async (late: LateAnswer<unknown>) => {
      if (late.ok) return void (await completeValidation(record, signerPrivyId))
      await otps.awaitLateAnswer(record.id, null)
      // As for an answer in time: a check Privy did not count is given back.
      if (!countedByPrivy(late.error)) await check.release()
    }
    try {
      if (record.otpType === 'document_signing') {
        const seat = await deps.signing.signableBy(record.ownerId, record.documentIds)
        signerPrivyId = seat.privyId
        await privy.documents.otp.validate(input, { onLateAnswer })
      } else {
        await privy.registrations.otp.validate(input, { onLateAnswer })
      }
    } catch (error) {
      if (error instanceof PrivyError && error.outcome === 'unknown') {
        // Bound only now: a refusal means nothing happened, and a retry with the key runs afresh.
        await claim?.bind(id)
        await otps.awaitLateAnswer(record.id, lateAnswerDeadline(error))
        const retryAt = new Date(now().getTime() + 2_000)
        throw otpOutcomeUnknown(error, id, { next_action: 'validate_otp', retry_at: retryAt }, now())
      }
      if (!countedByPrivy(error)) await check.release()
      throw error instanceof AppError ? error : await recordValidationFailure(record, error)
    }
    return toOtpView(await completeValidation(record, signerPrivyId), now())
  }

  async function completeValidation(
    record: OtpRecord,
    signerPrivyId: string | undefined,
  ): Promise<OtpRecord> {
    const validated = await otps.setStatus(record.id, 'validated')
    if (record.registrationId) {
      await registrations.markOtpValidated(record.registrationId)
    }
    if (signerPrivyId) {
      await deps.signing.recordSignatures(record.documentIds, signerPrivyId)
    }
    return validated
  }

  /** A retry under the Idempotency-Key of a validation whose outcome was unknown. */
  async function resumeValidate(
    principal: Principal,
    id: string,
    code: string,
    claim: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    if (record.status === 'validated') return toOtpView(record, now())
    if (isAwaiting(record)) throw pending(record)
    return validate(principal, id, code, claim)
  }

  function refuseUnlessUsable(record: OtpRecord): void {
    const status = effectiveStatus(record, now())
    if (status === 'validated') throw alreadyValidated()
    if (status === 'locked') throw locked()
    if (status === 'expired') throw expired()
  }

  /** Writes what Privy's refusal means for the row (src/errors/upstream-failure/otp.ts says what it means). */
  async function recordValidationFailure(record: OtpRecord, error: unknown): Promise<AppError> {
    const refusal = otpValidationRefusal(error)
    const mark = refusal.mark
    if (mark && 'wrongCode' in mark) await otps.recordWrongCode(record.id, mark.wrongCode)
    else if (mark?.status === 'locked') await otps.setStatus(record.id, 'locked', 0)
    else if (mark?.status === 'expired') await otps.setStatus(record.id, 'expired')
    return refusal.error
  }

  return { validate, resumeValidate }
}
