import { randomBytes } from 'node:crypto'
import type { SimContext } from './context.js'
import { SimError } from './errors.js'
import { REJECT_REASONS, scriptedOutcome, type VerificationOutcome } from './outcomes.js'
import type { RegisterInput, ResendInput } from './schemas.js'
import type { RegistrationStatus, SimRegistration } from './state.js'

/** Registration behaviour of docs/privy-contract.md §3, apart from HTTP. */

const PRIVY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

function newPrivyId(context: SimContext): string {
  const taken = new Set([...context.state.registrations.values()].map((item) => item.privyId))
  for (;;) {
    const suffix = [...randomBytes(6)]
      .map((byte) => PRIVY_ID_ALPHABET[byte % PRIVY_ID_ALPHABET.length])
      .join('')
    const privyId = `SIM${suffix}`
    if (!taken.has(privyId)) return privyId
  }
}

function initialStatus(input: RegisterInput): RegistrationStatus {
  if (input.registration_type === 'landing_page') return 'pending'
  return input.phone_verified ? 'waiting_verification' : 'waiting_otp'
}

/**
 * docs/privy-contract.md §3.1 after the body is valid. Order of refusals: unknown channel (403), `merchant_ra` on a channel
 * that is not a Registration Authority (403), repeated reference number on the channel (409).
 */
export function createRegistration(
  context: SimContext,
  input: RegisterInput,
  publicUrl: string,
): SimRegistration {
  const channel = context.channels.get(input.channel_id)
  if (channel === undefined) {
    throw new SimError(403, [`channel_id ${input.channel_id} is not a channel of this merchant`])
  }
  if (input.registration_type === 'merchant_ra' && !channel.merchantRa) {
    throw new SimError(403, [
      `channel ${input.channel_id} is not enabled as a Registration Authority (merchant_ra)`,
    ])
  }
  if (context.state.registration(input.channel_id, input.reference_number) !== undefined) {
    throw new SimError(409, [`reference_number ${input.reference_number} is already used on this channel`])
  }
  const registerToken = randomBytes(24).toString('base64url')
  // 192 random bits: the only secret in the landing-page URL.
  const landingToken =
    input.registration_type === 'landing_page' ? randomBytes(24).toString('base64url') : undefined
  const now = context.now()
  const registration: SimRegistration = {
    referenceNumber: input.reference_number,
    channelId: input.channel_id,
    registrationType: input.registration_type,
    registerToken,
    landingToken,
    status: initialStatus(input),
    email: input.email,
    phone: input.phone,
    name: input.name,
    phoneVerified: input.phone_verified,
    registrationUrl: landingToken === undefined ? undefined : `${publicUrl}/registration/${landingToken}`,
    scriptedOutcome: scriptedOutcome(input.nik),
    privyId: undefined,
    rejectReason: undefined,
    resend: undefined,
    statusHistory: [],
    createdAt: now,
    updatedAt: now,
  }
  context.state.addRegistration(registration)
  registration.statusHistory.push({ status: registration.status, data: statusData(registration) })
  context.events.registration(registration, 'created')
  return registration
}

/**
 * The registration named by a merchant call (docs/privy-contract.md §3.3, §3.4, §4.1). One answer for an unknown reference
 * and a wrong token, so the token cannot be probed.
 */
export function merchantRegistration(
  context: SimContext,
  input: { reference_number: string; channel_id: string; register_token: string },
): SimRegistration {
  const registration = context.state.registration(input.channel_id, input.reference_number)
  if (registration === undefined || registration.registerToken !== input.register_token) {
    throw new SimError(404, ['Registration not found'])
  }
  return registration
}

/** Every status change goes through here, so callbacks (docs/privy-contract.md §6) and the verification delay see it. */
export function changeStatus(context: SimContext, registration: SimRegistration, status: RegistrationStatus) {
  registration.status = status
  registration.updatedAt = context.now()
  registration.statusHistory.push({ status, data: statusData(registration) })
  context.events.registration(registration, 'status_changed')
}

/** docs/privy-contract.md §3.1 answer data. */
export function registerData(registration: SimRegistration) {
  return {
    reference_number: registration.referenceNumber,
    channel_id: registration.channelId,
    register_token: registration.registerToken,
    status: registration.status,
    ...(registration.registrationUrl === undefined ? {} : { registration_url: registration.registrationUrl }),
  }
}

/** docs/privy-contract.md §3.3 answer data: `privy_id` only once verified, `reject_reason`/`resend` only when rejected. */
export function statusData(registration: SimRegistration) {
  return {
    reference_number: registration.referenceNumber,
    channel_id: registration.channelId,
    register_token: registration.registerToken,
    status: registration.status,
    ...(registration.status === 'verified' ? { privy_id: registration.privyId } : {}),
    email: registration.email,
    phone: registration.phone,
    ...(registration.status === 'rejected'
      ? { reject_reason: registration.rejectReason, resend: registration.resend }
      : {}),
    updated_at: registration.updatedAt.toISOString(),
  }
}

function requireStatus(registration: SimRegistration, expected: RegistrationStatus, action: string): void {
  if (registration.status !== expected) {
    throw new SimError(409, [`cannot ${action}: registration is ${registration.status}, not ${expected}`])
  }
}

/** The user finished Privy's landing page. */
export function finishLandingPage(context: SimContext, registration: SimRegistration): void {
  requireStatus(registration, 'pending', 'finish the landing page')
  changeStatus(context, registration, 'waiting_verification')
}

/** Privy (or the merchant as RA) decided; `forced` overrides the outcome scripted from the NIK. */
export function verifyRegistration(
  context: SimContext,
  registration: SimRegistration,
  forced?: VerificationOutcome,
): void {
  requireStatus(registration, 'waiting_verification', 'verify')
  const outcome = forced ?? registration.scriptedOutcome
  if (outcome.kind === 'verified') {
    registration.privyId = newPrivyId(context)
    registration.rejectReason = undefined
    registration.resend = undefined
    changeStatus(context, registration, 'verified')
  } else {
    registration.rejectReason = { code: outcome.code, reason: REJECT_REASONS[outcome.code] }
    registration.resend = outcome.resend
    changeStatus(context, registration, 'rejected')
  }
}

/**
 * docs/privy-contract.md §3.4 after the body is valid: only a soft reject may be resent (422 otherwise, as the contract
 * says). The correction is taken to have fixed the problem, so the next verification verifies,
 * unless a corrected NIK itself scripts an outcome (docs/privy-contract.md §7); the photos and DoB are checked, not kept.
 */
export function resendRegistration(context: SimContext, registration: SimRegistration, input: ResendInput) {
  if (registration.status !== 'rejected' || registration.resend !== true) {
    const why = registration.status === 'rejected' ? 'a hard reject (resend: false)' : registration.status
    throw new SimError(422, [`Registration cannot be resent: it is ${why}, not a soft reject`])
  }
  const byNik: VerificationOutcome | undefined =
    input.nik === undefined ? undefined : scriptedOutcome(input.nik)
  registration.scriptedOutcome = byNik?.kind === 'rejected' ? byNik : { kind: 'verified' }
  if (input.name !== undefined) registration.name = input.name
  registration.rejectReason = undefined
  registration.resend = undefined
  changeStatus(context, registration, 'waiting_verification')
}
