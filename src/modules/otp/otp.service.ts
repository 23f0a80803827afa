import { randomUUID } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import { asAppError } from '../../errors/upstream-failure.js'
import { lateAnswerDeadline as deadlineOf, isAwaitingAnswer } from '../../lib/late-answer.js'
import { ownerIdFor, ownerScope, type Principal } from '../../plugins/auth.js'
import { PrivyError, PrivyLockedError, PrivyUnprocessableEntityError } from '../../privy/errors.js'
import type { LateAnswer, PrivyClient, SideEffectOptions } from '../../privy/index.js'
import type { OtpTransaction as UpstreamOtp } from '../../privy/schemas.js'
import type { DocumentRepository } from '../documents/documents.repository.js'
import type { DocumentSync } from '../documents/documents.sync.js'
import type { IdempotencyClaim } from '../idempotency/idempotency.service.js'
import type { Taken } from '../limits/limits.service.js'
import type { OtpLimits, PhoneKeys } from '../limits/otp-limits.js'
import type { RegistrationRepository } from '../registration/registration.repository.js'
import {
  alreadyValidated,
  assumedSend,
  callPrivy,
  countedByPrivy,
  expired,
  locked,
  otpOutcomeUnknown,
  otpPending,
  sendOf,
  sendRefusal,
  tooEarly,
} from './otp.answers.js'
import { recordSignatures, signingSeat } from './otp.document-signing.js'
import type { NewOtp, OtpRecord, OtpRepository, OtpTarget } from './otp.repository.js'
import type { OtpTransactionView, RequestOtpBody } from './otp.schemas.js'
import { effectiveStatus, toOtpView } from './otp.view.js'

/** Wrong codes Privy allows per transaction before it locks (contract §4). */
export const OTP_MAX_ATTEMPTS = 3

export interface OtpServiceDeps {
  otps: OtpRepository
  registrations: RegistrationRepository
  documents: DocumentRepository
  documentSync: DocumentSync
  privy: PrivyClient
  now: () => Date
  /** How long a late answer from Privy is waited for (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A send still `in_flight` after this long lost its request. */
  inFlightBudgetMs: number
  /** Abuse limits: every send and every check is counted before Privy is called. */
  limits: OtpLimits
}

/** Where a send request came from, for the per-address limit. */
export interface SendOrigin {
  /** `request.ip`: the socket's peer, or the client named by a trusted proxy (TRUST_PROXY). */
  ip: string
}

/**
 * Runs OTPs at Privy and mirrors Privy's limits locally, so a user gets a precise answer (when the
 * code expires, when a resend is allowed, how many tries are left) and a call that Privy would
 * refuse is refused without spending an SMS.
 */
export function createOtpService(deps: OtpServiceDeps) {
  const { otps, registrations, privy, now } = deps

  async function request(
    principal: Principal,
    body: RequestOtpBody,
    origin: SendOrigin,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    if (body.otp_type === 'document_signing') return requestForDocuments(principal, body, origin, claim)
    const registration = await registrations.findVisible(body.registration_id, ownerScope(principal).ownerId)
    if (!registration) throw notFound('Registration')
    if (registration.status !== 'waiting_otp' || !registration.registerToken) {
      throw new AppError('CONFLICT', {
        detail: `The registration is ${registration.status}; an OTP is only needed while it is waiting_otp`,
        extensions: { registration_status: registration.status },
      })
    }
    const registerToken = registration.registerToken
    return send(
      principal,
      {
        otpType: 'registration',
        otpChannel: body.otp_channel,
        registrationId: registration.id,
        documentIds: [],
      },
      { registrationId: registration.id },
      claim,
      () =>
        deps.limits.takeSend({
          principal,
          ip: origin.ip,
          channel: body.otp_channel,
          phone: registration,
        }),
      (options) =>
        privy.registrations.otp.request(
          {
            reference_number: registration.referenceNumber,
            register_token: registerToken,
            otp_channel: body.otp_channel,
          },
          options,
        ),
    )
  }

  async function requestForDocuments(
    principal: Principal,
    body: Extract<RequestOtpBody, { otp_type: 'document_signing' }>,
    origin: SendOrigin,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    // Operators do not sign: only the person behind a signer's registration does.
    if (principal.kind !== 'user') throw notFound('Document')
    const seat = await signingSeat(
      deps.documents,
      ownerIdFor(principal),
      body.document_ids,
      deps.documentSync,
    )
    const documentIds = seat.documents.map((document) => document.id)
    return send(
      principal,
      { otpType: 'document_signing', otpChannel: body.otp_channel, registrationId: null, documentIds },
      { ownerId: ownerIdFor(principal), documentIds: body.document_ids },
      claim,
      // The code goes to the phone of the signer's registration: its limits are that phone's.
      async () =>
        deps.limits.takeSend({
          principal,
          ip: origin.ip,
          channel: body.otp_channel,
          phone: await registrations.findVerifiedSigner({ privyId: seat.privyId }),
        }),
      (options) =>
        privy.documents.otp.request(
          {
            signer_privy_id: seat.privyId,
            document_tokens: seat.documents.map((document) => document.documentToken ?? ''),
            otp_channel: body.otp_channel,
          },
          options,
        ),
    )
  }

  /**
   * One live transaction per target: a second would be a new SMS and three fresh guesses each time,
   * which is what SMS pumping and brute force are made of. The intent is written first, so a send
   * whose answer is lost is still known, and a retry finds it instead of sending again.
   */
  async function send(
    principal: Principal,
    what: Pick<NewOtp, 'otpType' | 'otpChannel' | 'registrationId' | 'documentIds'>,
    target: OtpTarget,
    claim: IdempotencyClaim | undefined,
    takeSend: () => Promise<Taken>,
    call: (options: SideEffectOptions<UpstreamOtp>) => Promise<UpstreamOtp>,
  ): Promise<OtpTransactionView> {
    // Counted before anything is written, so a refused send leaves no trace but the count.
    const taken = await takeSend()
    const newIntent = () =>
      otps.createIntent(
        {
          id: randomUUID(),
          createdAt: now(),
          ownerId: ownerIdFor(principal),
          ...what,
          attemptsLeft: OTP_MAX_ATTEMPTS,
          // Privy's rules (contract §4) until its answer replaces them.
          ...assumedSend(now(), 1),
        },
        target,
        claim?.ref,
      )
    let intent = await newIntent()
    if ('live' in intent && intent.live.submission !== 'submitted' && !isAwaiting(intent.live)) {
      // A send whose answer can no longer come blocks nothing: its code could never be checked.
      await otps.markFailed(intent.live.id)
      intent = await newIntent()
    }
    if ('live' in intent) {
      const { live } = intent
      await taken.release()
      throw new AppError('CONFLICT', {
        detail: 'An OTP was already sent for this; use POST /v1/otp/{id}/resend for a new code',
        extensions: { otp_id: live.id, resend_available_at: live.resendAvailableAt.toISOString() },
      })
    }
    const { id } = intent.created
    claim?.boundInTransaction(id)
    let upstream: UpstreamOtp
    try {
      upstream = await call({
        onLateAnswer: async (late) => {
          if (late.ok) await otps.markSent(id, late.data.transaction_id, sendOf(late.data))
          else if (late.error.outcome === 'not_applied') await otps.markFailed(id)
        },
      })
    } catch (error) {
      if (error instanceof PrivyError && error.outcome === 'unknown') {
        await otps.markUnknown(id, lateAnswerDeadline(error))
        throw otpOutcomeUnknown(error, id)
      }
      await otps.markFailed(id)
      // Privy surely sent nothing: the send does not count against the limits.
      await taken.release()
      throw sendRefusal(error)
    }
    // Outside the try: Privy sent it, whatever happens to this write (a failing database leaves the
    // row in flight for the reconciler, never failed and never uncounted).
    return toOtpView(await otps.markSent(id, upstream.transaction_id, sendOf(upstream)), now())
  }

  /** A retry under the Idempotency-Key of a send whose outcome was unknown. */
  async function resumeRequest(
    principal: Principal,
    id: string,
    body: RequestOtpBody,
    origin: SendOrigin,
    claim: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await otps.findVisible(id, ownerScope(principal).ownerId)
    if (!record) return request(principal, body, origin, claim)
    if (record.submission === 'submitted') return toOtpView(record, now())
    if (isAwaiting(record)) throw otpPending(id)
    // Privy's answer is lost for good: the code it may have sent cannot be checked without it.
    await otps.markFailed(id)
    return request(principal, body, origin, claim)
  }

  async function validate(
    principal: Principal,
    id: string,
    code: string,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    refuseUnlessUsable(record)
    const transactionId = record.upstreamTransactionId
    if (!transactionId || isAwaiting(record)) throw otpPending(id)
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
        const seat = await signingSeat(deps.documents, record.ownerId, record.documentIds)
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
        throw otpOutcomeUnknown(error, id)
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
      await registrations.moveStatus(record.registrationId, 'waiting_otp', 'waiting_verification')
    }
    if (signerPrivyId) {
      await recordSignatures(deps.documents, deps.documentSync, record.documentIds, signerPrivyId, now())
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
    if (isAwaiting(record)) throw otpPending(id)
    return validate(principal, id, code, claim)
  }

  async function resend(
    principal: Principal,
    id: string,
    origin: SendOrigin,
    claim?: IdempotencyClaim,
  ): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    const status = effectiveStatus(record, now())
    if (status === 'validated') throw alreadyValidated()
    if (status === 'locked') throw locked()
    const transactionId = record.upstreamTransactionId
    if (!transactionId || isAwaiting(record)) throw otpPending(id)
    if (record.requestCount >= record.maxRequests) {
      throw new AppError('OTP_SEND_LIMIT_REACHED', {
        detail: `All ${record.maxRequests} sends of this OTP are used; request a new OTP with POST /v1/otp`,
      })
    }
    const waitMs = record.resendAvailableAt.getTime() - now().getTime()
    if (waitMs > 0) throw tooEarly(Math.ceil(waitMs / 1000))
    const taken = await deps.limits.takeSend({
      principal,
      ip: origin.ip,
      channel: record.otpChannel,
      phone: await phoneOf(record),
    })
    const resendInput = { transaction_id: transactionId }
    const onLateAnswer = async (late: LateAnswer<UpstreamOtp>) => {
      if (late.ok) await otps.recordSend(record.id, sendOf(late.data))
      else await otps.awaitLateAnswer(record.id, null)
    }
    let upstream: UpstreamOtp
    try {
      upstream = await callPrivy(() =>
        record.otpType === 'document_signing'
          ? privy.documents.otp.resend(resendInput, { onLateAnswer })
          : privy.registrations.otp.resend(resendInput, { onLateAnswer }),
      )
    } catch (error) {
      const cause = error instanceof AppError ? error.options.cause : undefined
      if (cause instanceof PrivyError && cause.outcome === 'unknown') {
        // Counted as sent: the SMS may be on its way, and a second one must wait its turn. Bound only
        // now: after a refusal nothing was sent, and a retry with the key runs afresh.
        await claim?.bind(id)
        await otps.recordSend(record.id, assumedSend(now(), record.requestCount + 1, record.maxRequests))
        await otps.awaitLateAnswer(record.id, lateAnswerDeadline(cause))
        throw otpOutcomeUnknown(cause, id)
      }
      await taken.release()
      throw error
    }
    // Outside the try: Privy sent it; a failing write must not give the send back.
    return toOtpView(await otps.recordSend(record.id, sendOf(upstream)), now())
  }

  /** The registration whose phone the code goes to: its lookup hashes are what the limits count. */
  async function phoneOf(record: OtpRecord): Promise<PhoneKeys | null> {
    if (record.registrationId) return registrations.findVisible(record.registrationId)
    if (record.otpType !== 'document_signing') return null
    const seat = await signingSeat(deps.documents, record.ownerId, record.documentIds).catch(() => null)
    if (!seat) return null
    return registrations.findVerifiedSigner({ privyId: seat.privyId })
  }

  /** A retry under the Idempotency-Key of a resend whose outcome was unknown: never a second SMS. */
  async function resumeResend(principal: Principal, id: string): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    if (isAwaiting(record)) throw otpPending(id)
    return toOtpView(record, now())
  }

  const isAwaiting = (record: OtpRecord) => isAwaitingAnswer(record, now(), deps.inFlightBudgetMs)
  const lateAnswerDeadline = (error: unknown) => deadlineOf(error, now(), deps.lateAnswerMs)

  async function findOwn(principal: Principal, id: string): Promise<OtpRecord> {
    const record = await otps.findVisible(id, ownerScope(principal).ownerId)
    // A signature is the signer's own act: not even an operator completes it for them.
    if (!record || (record.otpType === 'document_signing' && principal.kind !== 'user')) {
      throw notFound('OTP transaction')
    }
    return record
  }

  function refuseUnlessUsable(record: OtpRecord): void {
    const status = effectiveStatus(record, now())
    if (status === 'validated') throw alreadyValidated()
    if (status === 'locked') throw locked()
    if (status === 'expired') throw expired()
  }

  async function recordValidationFailure(record: OtpRecord, error: unknown): Promise<unknown> {
    if (error instanceof PrivyLockedError) {
      await otps.setStatus(record.id, 'locked', 0)
      return locked()
    }
    if (error instanceof PrivyUnprocessableEntityError) {
      // Contract §4.1: a wrong code is the 422 that carries remaining_attempts; an expired one does not.
      if (error.remainingAttempts === undefined) {
        if (error.messages.some((message) => /expired/i.test(message))) {
          await otps.setStatus(record.id, 'expired')
          return expired()
        }
        return new AppError('CONFLICT', {
          detail: 'Privy refused this OTP; request a new one with POST /v1/otp',
        })
      }
      const attemptsLeft = Math.max(error.remainingAttempts, 0)
      await otps.recordWrongCode(record.id, attemptsLeft)
      return new AppError('OTP_INVALID', {
        detail:
          attemptsLeft > 0
            ? `The code is not correct; ${attemptsLeft} attempt(s) left`
            : 'The code is not correct; no attempts left, the OTP is now locked',
        extensions: { attempts_left: attemptsLeft },
      })
    }
    return asAppError(error)
  }

  return { request, resumeRequest, validate, resumeValidate, resend, resumeResend }
}

export type OtpService = ReturnType<typeof createOtpService>
