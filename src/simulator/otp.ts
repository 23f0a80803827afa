import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import type { SimContext } from './context.js'
import { SimError } from './errors.js'
import { changeStatus } from './registrations.js'
import type { OtpChannel, RegistrationOtpTransaction, SimOtpTransaction, SimRegistration } from './state.js'

/**
 * OTP (docs/privy-contract.md §4) apart from HTTP: the rules both kinds share, and the registration OTP of docs/privy-contract.md §4.1
 * (the document-signing OTP of docs/privy-contract.md §4.2 is in document-otp.ts). The limits are the contract's [seen]
 * and [chosen] values, kept in this one table so that a real Privy account that differs is one edit
 * away. All timing uses the injectable clock, so tests can move it instead of waiting.
 */
export const OTP_RULES = {
  validForMs: 15 * 60 * 1000,
  resendAfterMs: 60 * 1000,
  /** The first send and two resends. */
  maxSends: 3,
  maxWrongCodes: 3,
} as const

export type OtpStatus = 'live' | 'validated' | 'locked' | 'expired'

/** Validated wins over locked, and locked over expired: each later state blocks more than the next. */
export function otpStatus(transaction: SimOtpTransaction, now: Date): OtpStatus {
  if (transaction.validatedAt !== undefined) return 'validated'
  if (transaction.wrongAttempts >= OTP_RULES.maxWrongCodes) return 'locked'
  if (now.getTime() >= transaction.expiresAt.getTime()) return 'expired'
  return 'live'
}

function newCode(previous: string): string {
  for (;;) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    // A resend must really replace the code, or "the old code stops working" could fail by chance.
    if (code !== previous) return code
  }
}

function sameCode(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(received, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Issues a fresh code and "sends" it to the person of `registration` (for a signing OTP, the
 * signer's registration): readable at `/__sim/messages` and `/__sim/otps` (docs/privy-contract.md §7).
 */
export function sendOtp(context: SimContext, transaction: SimOtpTransaction, registration: SimRegistration) {
  const now = context.now()
  transaction.code = newCode(transaction.code)
  transaction.sends += 1
  transaction.expiresAt = new Date(now.getTime() + OTP_RULES.validForMs)
  transaction.resendAvailableAt = new Date(now.getTime() + OTP_RULES.resendAfterMs)
  const minutes = OTP_RULES.validForMs / 60_000
  context.state.logMessage({
    channel: transaction.otpChannel,
    to: transaction.otpChannel === 'sms' ? registration.phone : registration.email,
    text: `Kode OTP Privy Anda: ${transaction.code}. Berlaku ${minutes} menit. Jangan berikan kode ini kepada siapa pun.`,
    transaction_id: transaction.transactionId,
    reference_number: registration.referenceNumber,
    ...(transaction.kind === 'document_signing'
      ? { signer_privy_id: transaction.signerPrivyId, document_tokens: [...transaction.documentTokens] }
      : {}),
    at: now.toISOString(),
  })
}

/** The fields of a transaction before its first send. */
export function unsentOtp(context: SimContext, channelId: string, otpChannel: OtpChannel) {
  const now = context.now()
  return {
    transactionId: randomUUID(),
    channelId,
    otpChannel,
    code: '',
    sends: 0,
    wrongAttempts: 0,
    validatedAt: undefined,
    expiresAt: now,
    resendAvailableAt: now,
    createdAt: now,
  }
}

/** docs/privy-contract.md §4.1 answer data of a request or a resend. */
export function otpData(transaction: SimOtpTransaction) {
  return {
    transaction_id: transaction.transactionId,
    otp_channel: transaction.otpChannel,
    expired_at: transaction.expiresAt.toISOString(),
    resend_available_at: transaction.resendAvailableAt.toISOString(),
    request_count: transaction.sends,
    maximum_otp_request: OTP_RULES.maxSends,
  }
}

function requireWaitingOtp(registration: SimRegistration): void {
  if (registration.status !== 'waiting_otp') {
    throw new SimError(422, [
      `Registration is ${registration.status}, not waiting_otp: no registration OTP applies`,
    ])
  }
}

/**
 * `POST /register/otp`. Each call starts a NEW transaction with its own counters, even while an
 * earlier one is live; the earlier one keeps its code until it expires, locks or the registration
 * leaves waiting_otp (the contract is silent; real Privy may refuse or supersede instead).
 */
export function requestRegistrationOtp(
  context: SimContext,
  registration: SimRegistration,
  otpChannel: OtpChannel,
): SimOtpTransaction {
  requireWaitingOtp(registration)
  const transaction: RegistrationOtpTransaction = {
    ...unsentOtp(context, registration.channelId, otpChannel),
    kind: 'registration',
    referenceNumber: registration.referenceNumber,
  }
  sendOtp(context, transaction, registration)
  context.state.otps.set(transaction.transactionId, transaction)
  return transaction
}

/** A transaction of the other kind is as unknown here as one that does not exist. */
function transactionOf(context: SimContext, transactionId: string) {
  const transaction = context.state.otps.get(transactionId)
  const registration =
    transaction?.kind !== 'registration'
      ? undefined
      : context.state.registration(transaction.channelId, transaction.referenceNumber)
  if (transaction === undefined || registration === undefined) {
    throw new SimError(404, ['OTP transaction not found'])
  }
  return { transaction, registration }
}

/** Whole seconds, rounded up and at least 1, so a client that waits that long is never early. */
function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))
}

function tooManyRequests(message: string, retryAfter: number): SimError {
  return new SimError(429, [message], {
    data: { retry_after: retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  })
}

function lockedError(): SimError {
  return new SimError(
    423,
    [`OTP transaction is locked after ${OTP_RULES.maxWrongCodes} wrong codes; request a new OTP`],
    { data: { remaining_attempts: 0 } },
  )
}

/** Refusals shared by resend and validation, in the order that tells a client the most. */
export function requireUsable(transaction: SimOtpTransaction, now: Date): void {
  const status = otpStatus(transaction, now)
  if (status === 'validated') throw new SimError(422, ['OTP transaction is already validated'])
  if (status === 'locked') throw lockedError()
}

/** The send limit, then the wait between sends. An expired transaction may be resent. */
export function requireResendAllowed(transaction: SimOtpTransaction, now: Date): void {
  if (transaction.sends >= OTP_RULES.maxSends) {
    throw tooManyRequests(
      `At most ${OTP_RULES.maxSends} sends per OTP transaction; request a new OTP`,
      secondsUntil(transaction.expiresAt, now),
    )
  }
  if (now.getTime() < transaction.resendAvailableAt.getTime()) {
    throw tooManyRequests(
      `A resend is possible ${OTP_RULES.resendAfterMs / 1000} s after the last send`,
      secondsUntil(transaction.resendAvailableAt, now),
    )
  }
}

/** An expired code is refused before it is compared, so it does not count as a wrong attempt. */
export function requireNotExpired(transaction: SimOtpTransaction, now: Date): void {
  if (otpStatus(transaction, now) === 'expired') {
    throw new SimError(422, ['OTP code has expired; request a resend'], { data: { expired: true } })
  }
}

/** Compares the code; the wrong attempt that reaches the limit answers 423 at once. */
export function requireCode(transaction: SimOtpTransaction, code: string): void {
  if (sameCode(transaction.code, code)) return
  transaction.wrongAttempts += 1
  const remaining = OTP_RULES.maxWrongCodes - transaction.wrongAttempts
  if (remaining <= 0) throw lockedError()
  throw new SimError(422, ['Wrong OTP code'], { data: { remaining_attempts: remaining } })
}

/**
 * `POST /register/otp-resend`: a new code that replaces the old one, valid 15 minutes from now. An
 * expired transaction may be resent. A 4th send answers 429 with retry_after = the seconds until the
 * current code expires (the contract is silent; a new `POST /register/otp` works at once).
 */
export function resendRegistrationOtp(context: SimContext, transactionId: string): SimOtpTransaction {
  const { transaction, registration } = transactionOf(context, transactionId)
  const now = context.now()
  requireUsable(transaction, now)
  requireWaitingOtp(registration)
  requireResendAllowed(transaction, now)
  sendOtp(context, transaction, registration)
  return transaction
}

/** `POST /register/otp-validation`. */
export function validateRegistrationOtp(context: SimContext, transactionId: string, code: string): void {
  const { transaction, registration } = transactionOf(context, transactionId)
  const now = context.now()
  requireUsable(transaction, now)
  requireNotExpired(transaction, now)
  requireWaitingOtp(registration)
  requireCode(transaction, code)
  transaction.validatedAt = now
  changeStatus(context, registration, 'waiting_verification')
}
