import { randomUUID } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import { otpOutcomeUnknown, otpSendRefusal, type PendingStep } from '../../errors/upstream-failure/index.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { ownerIdFor, ownerScope, type Principal } from '../../lib/principal.js'
import type { LateAnswer, SideEffectOptions, OtpTransaction as UpstreamOtp } from '../../privy/index.js'
import { PrivyError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import type { Taken } from '../limits/index.js'
import { assumedSend, OTP_MAX_ATTEMPTS, OTP_VALID_MS, readableTransactionId, sendOf } from './otp.answers.js'
import type { OtpServiceDeps, SendOrigin } from './otp.deps.js'
import type { NewOtp, OtpRecord, OtpTarget } from './otp.repository.js'
import type { OtpRequestAnswer, RequestOtpBody } from './otp.schemas.js'
import { effectiveStatus, toOtpView } from './otp.view.js'

/** What sending shares with the rest of the service: the clock's view of a row, and ownership. */
export interface SendingHelpers {
  isAwaiting(record: OtpRecord): boolean
  lateAnswerDeadline(error: unknown): Date | null
  pending(record: OtpRecord): AppError
  findOwn(principal: Principal, id: string): Promise<OtpRecord>
}

type Charge = (db: Prisma.TransactionClient) => Promise<Taken>

/**
 * Sending a new OTP (a resend is otp.resend.ts): one user action, at most one SMS, even when Privy's answer is
 * lost or garbled. Every send is written (or claimed) before Privy is called, in the transaction that
 * counts it against the abuse limits; while its outcome is not known, a retry (keyed or not) is
 * answered from the row and never sends again. A send whose transaction id never came back settles
 * when the code it may have sent has expired (docs/privy-contract.md §4's 15 minutes after Privy could last have
 * acted): there is no status call for an OTP transaction to ask instead.
 */
export function createOtpSend(deps: OtpServiceDeps, helpers: SendingHelpers) {
  const { otps, registrations, privy, now } = deps
  const { isAwaiting, lateAnswerDeadline, pending } = helpers

  async function request(
    principal: Principal,
    body: RequestOtpBody,
    origin: SendOrigin,
    claim?: IdempotencyClaim,
  ): Promise<OtpRequestAnswer> {
    if (body.otp_type === 'document_signing') return requestForDocuments(principal, body, origin, claim)
    const registration = await registrations.findVisible(body.registration_id, ownerScope(principal).ownerId)
    if (!registration) throw notFound('Registration')
    if (registration.status !== 'waiting_otp' || !registration.registerToken) {
      throw new AppError('OTP_NOT_NEEDED', {
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
      { registrationId: registration.id, channel: body.otp_channel },
      claim,
      (db) =>
        deps.limits.takeSend(
          { principal, ip: origin.ip, channel: body.otp_channel, recipient: registration },
          db,
        ),
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
  ): Promise<OtpRequestAnswer> {
    // Operators do not sign: only the person behind a signer's registration does.
    if (principal.kind !== 'user') throw notFound('Document')
    const seat = await deps.signing.signableBy(ownerIdFor(principal), body.document_ids, { refresh: true })
    const documentIds = seat.documents.map((document) => document.id)
    // The code goes to the signer's registration: its phone and address are what the limits count.
    const recipient = await registrations.findVerifiedSigner({ privyId: seat.privyId })
    return send(
      principal,
      { otpType: 'document_signing', otpChannel: body.otp_channel, registrationId: null, documentIds },
      { ownerId: ownerIdFor(principal), documentIds: body.document_ids, channel: body.otp_channel },
      claim,
      (db) => deps.limits.takeSend({ principal, ip: origin.ip, channel: body.otp_channel, recipient }, db),
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
   * One live transaction per target and channel: a second would be a new SMS and three fresh guesses
   * each time, which is what SMS pumping and brute force are made of. While its code is valid, asking
   * again answers that transaction (`reused`, no SMS, nothing counted): an app that lost the answer,
   * or a person who pressed "send" twice, gets the code already on its way. Once the code has expired
   * but can still be resent, 409 OTP_ALREADY_SENT points at the resend. A send whose outcome is not
   * known is live too: asking again then answers OPERATION_PENDING, never a second SMS.
   * See docs/decisions/otp-policy.md.
   */
  async function send(
    principal: Principal,
    what: Pick<NewOtp, 'otpType' | 'otpChannel' | 'registrationId' | 'documentIds'>,
    target: OtpTarget,
    claim: IdempotencyClaim | undefined,
    charge: Charge,
    call: (options: SideEffectOptions<UpstreamOtp>) => Promise<UpstreamOtp>,
  ): Promise<OtpRequestAnswer> {
    const newIntent = () => {
      const at = now()
      return otps.createIntent(
        {
          id: randomUUID(),
          createdAt: at,
          ownerId: ownerIdFor(principal),
          ...what,
          attemptsLeft: OTP_MAX_ATTEMPTS,
          // Privy's rules (docs/privy-contract.md §4) until its answer replaces them; until then `expiresAt` is the
          // latest a code of this send could be valid: its request may reach Privy until the end of
          // the in-flight budget.
          ...assumedSend(at, 1),
          expiresAt: new Date(at.getTime() + deps.inFlightBudgetMs + OTP_VALID_MS),
        },
        target,
        claim?.ref,
        charge,
      )
    }
    let intent = await newIntent()
    if ('live' in intent && isVoid(intent.live)) {
      // Its code, if one went, has expired: it blocks nothing any more.
      await otps.markFailed(intent.live.id)
      intent = await newIntent()
    }
    if ('live' in intent) {
      const { live } = intent
      if (live.submission !== 'submitted' || isAwaiting(live)) throw pending(live)
      if (isReusable(live, target)) return { ...toOtpView(live, now()), reused: true }
      throw new AppError('OTP_ALREADY_SENT', {
        detail: 'An OTP was already sent for this; use POST /v1/otp/{id}/resend for a new code',
        extensions: {
          otp_id: live.id,
          next_action: 'validate_otp',
          resend_available_at: live.resendAvailableAt.toISOString(),
        },
      })
    }
    const { created, charged: taken } = intent
    const { id } = created
    claim?.boundInTransaction(id)
    let upstream: UpstreamOtp
    try {
      upstream = await call({ onLateAnswer: (late) => adoptLateAnswer(id, late, taken) })
    } catch (error) {
      if (!(error instanceof PrivyError) || error.outcome !== 'unknown') {
        await otps.markFailed(id)
        // Privy surely sent nothing: the send does not count against the limits.
        await taken.release()
        throw otpSendRefusal(error)
      }
      const transactionId = readableTransactionId(error)
      // A garbled 201 that still names its transaction: the SMS went, and this is its OTP.
      if (transactionId) return sent(await otps.markSent(id, transactionId, assumedSend(now(), 1)))
      const lateUntil = lateAnswerDeadline(error)
      const voidAt = new Date((lateUntil ?? now()).getTime() + OTP_VALID_MS)
      await otps.markUnknown(id, lateUntil, voidAt)
      const step: PendingStep = lateUntil
        ? { next_action: 'validate_otp', retry_at: new Date(now().getTime() + 2_000) }
        : { next_action: 'wait', retry_at: voidAt }
      throw otpOutcomeUnknown(error, id, step, now())
    }
    // Outside the try: Privy sent it, whatever happens to this write (a failing database leaves the
    // row in flight for the reconciler, never failed and never uncounted).
    return sent(await otps.markSent(id, upstream.transaction_id, sendOf(upstream)))
  }

  const sent = (record: OtpRecord): OtpRequestAnswer => ({ ...toOtpView(record, now()), reused: false })

  /**
   * The live transaction answers the request in its place while its code is valid and it is for
   * exactly what was asked: a signing OTP for other documents as well would leave some unsigned.
   */
  function isReusable(live: OtpRecord, target: OtpTarget): boolean {
    if (effectiveStatus(live, now()) !== 'active') return false
    if ('registrationId' in target) return true
    const asked = new Set(target.documentIds)
    return live.documentIds.length === asked.size && live.documentIds.every((id) => asked.has(id))
  }

  /** Privy answered after the caller was told "unknown": the answer settles the send. */
  async function adoptLateAnswer(id: string, late: LateAnswer<UpstreamOtp>, taken: Taken): Promise<void> {
    if (late.ok) return otps.adoptLateSend(id, late.data.transaction_id, sendOf(late.data))
    const transactionId = readableTransactionId(late.error)
    if (transactionId) return otps.adoptLateSend(id, transactionId, assumedSend(now(), 1))
    if (late.error.outcome === 'not_applied') {
      await otps.markFailed(id)
      await taken.release()
      return
    }
    // Privy answered without success or a readable id (a 5xx, a garbled 201): no later answer can
    // name the transaction. The row waits to be void.
    await otps.awaitLateAnswer(id, null)
  }

  /** No answer can come, no transaction id is known, and a code it may have sent has expired. */
  function isVoid(record: OtpRecord): boolean {
    return (
      record.submission !== 'submitted' &&
      record.upstreamTransactionId === null &&
      !isAwaiting(record) &&
      now() >= record.expiresAt
    )
  }

  /** A retry under the Idempotency-Key of a send whose outcome was unknown: never a second SMS. */
  async function resumeRequest(
    principal: Principal,
    id: string,
    body: RequestOtpBody,
    origin: SendOrigin,
    claim: IdempotencyClaim,
  ): Promise<OtpRequestAnswer> {
    const record = await otps.findVisible(id, ownerScope(principal).ownerId)
    if (!record) return request(principal, body, origin, claim)
    if (record.submission === 'submitted') return sent(record)
    if (!isVoid(record)) throw pending(record)
    // Whatever the first send did has expired: this retry is a request like any other.
    await otps.markFailed(id)
    return request(principal, body, origin, claim)
  }

  return { request, resumeRequest }
}
