import { randomUUID } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import { asAppError } from '../../errors/upstream-failure.js'
import { ownerIdFor, ownerScope, type Principal } from '../../plugins/auth.js'
import { PrivyLockedError, PrivyRateLimitError, PrivyUnprocessableEntityError } from '../../privy/errors.js'
import type { PrivyClient } from '../../privy/index.js'
import type { OtpTransaction as UpstreamOtp } from '../../privy/schemas.js'
import type { DocumentRepository } from '../documents/documents.repository.js'
import type { DocumentSync } from '../documents/documents.sync.js'
import type { RegistrationRepository } from '../registration/registration.repository.js'
import { recordSignatures, signingSeat } from './otp.document-signing.js'
import type { OtpRecord, OtpRepository, OtpSend } from './otp.repository.js'
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
}

/**
 * Runs OTPs at Privy and mirrors Privy's limits locally, so a user gets a precise answer (when the
 * code expires, when a resend is allowed, how many tries are left) and a call that Privy would
 * refuse is refused without spending an SMS.
 */
export function createOtpService(deps: OtpServiceDeps) {
  const { otps, registrations, privy, now } = deps

  async function request(principal: Principal, body: RequestOtpBody): Promise<OtpTransactionView> {
    if (body.otp_type === 'document_signing') return requestForDocuments(principal, body)
    const registration = await registrations.findVisible(body.registration_id, ownerScope(principal).ownerId)
    if (!registration) throw notFound('Registration')
    if (registration.status !== 'waiting_otp' || !registration.registerToken) {
      throw new AppError('CONFLICT', {
        detail: `The registration is ${registration.status}; an OTP is only needed while it is waiting_otp`,
        extensions: { registration_status: registration.status },
      })
    }
    // One live transaction per registration: a second would be a new SMS and three fresh
    // guesses each time, which is what SMS pumping and brute force are made of.
    const live = await otps.findResendable(registration.id)
    if (live) {
      throw new AppError('CONFLICT', {
        detail: 'An OTP was already sent for this registration; use POST /v1/otp/{id}/resend for a new code',
        extensions: { otp_id: live.id, resend_available_at: live.resendAvailableAt.toISOString() },
      })
    }
    const upstream = await callPrivy(() =>
      privy.registrations.otp.request({
        reference_number: registration.referenceNumber,
        register_token: registration.registerToken ?? '',
        otp_channel: body.otp_channel,
      }),
    )
    const record = await otps.create({
      id: randomUUID(),
      ownerId: ownerIdFor(principal),
      otpType: 'registration',
      otpChannel: body.otp_channel,
      registrationId: registration.id,
      documentIds: [],
      upstreamTransactionId: upstream.transaction_id,
      attemptsLeft: OTP_MAX_ATTEMPTS,
      ...sendOf(upstream),
    })
    return toOtpView(record, now())
  }

  async function requestForDocuments(
    principal: Principal,
    body: Extract<RequestOtpBody, { otp_type: 'document_signing' }>,
  ): Promise<OtpTransactionView> {
    // Operators do not sign: only the person behind a signer's registration does.
    if (principal.kind !== 'user') throw notFound('Document')
    const seat = await signingSeat(
      deps.documents,
      ownerIdFor(principal),
      body.document_ids,
      deps.documentSync,
    )
    const live = await otps.findResendableForDocuments(ownerIdFor(principal), body.document_ids)
    if (live) {
      throw new AppError('CONFLICT', {
        detail: 'An OTP was already sent for these documents; use POST /v1/otp/{id}/resend for a new code',
        extensions: { otp_id: live.id, resend_available_at: live.resendAvailableAt.toISOString() },
      })
    }
    const upstream = await callPrivy(() =>
      privy.documents.otp.request({
        signer_privy_id: seat.privyId,
        document_tokens: seat.documents.map((document) => document.documentToken ?? ''),
        otp_channel: body.otp_channel,
      }),
    )
    const record = await otps.create({
      id: randomUUID(),
      ownerId: ownerIdFor(principal),
      otpType: 'document_signing',
      otpChannel: body.otp_channel,
      registrationId: null,
      documentIds: seat.documents.map((document) => document.id),
      upstreamTransactionId: upstream.transaction_id,
      attemptsLeft: OTP_MAX_ATTEMPTS,
      ...sendOf(upstream),
    })
    return toOtpView(record, now())
  }

  async function validate(principal: Principal, id: string, code: string): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    refuseUnlessUsable(record)
    const input = { transaction_id: record.upstreamTransactionId, otp_code: code }
    let signerPrivyId: string | undefined
    try {
      if (record.otpType === 'document_signing') {
        const seat = await signingSeat(deps.documents, record.ownerId, record.documentIds)
        signerPrivyId = seat.privyId
        await privy.documents.otp.validate(input)
      } else {
        await privy.registrations.otp.validate(input)
      }
    } catch (error) {
      throw error instanceof AppError ? error : await recordValidationFailure(record, error)
    }
    const validated = await otps.setStatus(record.id, 'validated')
    if (record.registrationId) {
      await registrations.moveStatus(record.registrationId, 'waiting_otp', 'waiting_verification')
    }
    if (signerPrivyId) {
      await recordSignatures(deps.documents, deps.documentSync, record.documentIds, signerPrivyId, now())
    }
    return toOtpView(validated, now())
  }

  async function resend(principal: Principal, id: string): Promise<OtpTransactionView> {
    const record = await findOwn(principal, id)
    const status = effectiveStatus(record, now())
    if (status === 'validated') throw alreadyValidated()
    if (status === 'locked') throw locked()
    if (record.requestCount >= record.maxRequests) {
      throw new AppError('OTP_SEND_LIMIT_REACHED', {
        detail: `All ${record.maxRequests} sends of this OTP are used; request a new OTP with POST /v1/otp`,
      })
    }
    const waitMs = record.resendAvailableAt.getTime() - now().getTime()
    if (waitMs > 0) throw tooEarly(Math.ceil(waitMs / 1000))
    const resendInput = { transaction_id: record.upstreamTransactionId }
    const upstream = await callPrivy(() =>
      record.otpType === 'document_signing'
        ? privy.documents.otp.resend(resendInput)
        : privy.registrations.otp.resend(resendInput),
    )
    return toOtpView(await otps.recordSend(record.id, sendOf(upstream)), now())
  }

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

  return { request, validate, resend }
}

export type OtpService = ReturnType<typeof createOtpService>

function sendOf(upstream: UpstreamOtp): OtpSend {
  return {
    expiresAt: new Date(upstream.expired_at),
    resendAvailableAt: new Date(upstream.resend_available_at),
    requestCount: upstream.request_count,
    maxRequests: upstream.maximum_otp_request,
  }
}

/** Privy's refusals of an OTP send, in the gateway's words. */
async function callPrivy<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PrivyRateLimitError) throw tooEarly(error.retryAfterSeconds ?? 60)
    if (error instanceof PrivyUnprocessableEntityError) {
      throw new AppError('CONFLICT', {
        detail: 'Privy refused to send this OTP now; read the document or registration again for its status',
      })
    }
    throw asAppError(error)
  }
}

const alreadyValidated = () => new AppError('CONFLICT', { detail: 'This OTP was already validated' })
const locked = () =>
  new AppError('OTP_LOCKED', { detail: 'Too many wrong codes; request a new OTP with POST /v1/otp' })
const expired = () =>
  new AppError('OTP_EXPIRED', {
    detail: 'The code has expired; ask for a new one with POST /v1/otp/{id}/resend',
  })
const tooEarly = (seconds: number) =>
  new AppError('OTP_RESEND_TOO_EARLY', {
    detail: `Another code can be sent in ${seconds} s`,
    retryAfterSeconds: seconds,
  })
