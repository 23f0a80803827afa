import { randomBytes } from 'node:crypto'
import type { SimContext } from './context.js'
import { SimError } from './errors.js'
import { REJECT_REASONS, scriptedOutcome, type VerificationOutcome } from './outcomes.js'
import type { RegisterInput } from './schemas.js'
import type { RegistrationStatus, SimRegistration } from './state.js'

/** Registration behaviour of contract §3, apart from HTTP. */

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
 * §3.1 after the body is valid. Order of refusals: unknown channel (403), `merchant_ra` on a channel
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
    createdAt: now,
    updatedAt: now,
  }
  context.state.addRegistration(registration)
  return registration
}

/** §3.1 answer data. */
export function registerData(registration: SimRegistration) {
  return {
    reference_number: registration.referenceNumber,
    channel_id: registration.channelId,
    register_token: registration.registerToken,
    status: registration.status,
    ...(registration.registrationUrl === undefined ? {} : { registration_url: registration.registrationUrl }),
  }
}

/** §3.3 answer data: `privy_id` only once verified, `reject_reason`/`resend` only when rejected. */
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
  registration.status = 'waiting_verification'
  registration.updatedAt = context.now()
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
    registration.status = 'verified'
    registration.privyId = newPrivyId(context)
    registration.rejectReason = undefined
    registration.resend = undefined
  } else {
    registration.status = 'rejected'
    registration.rejectReason = { code: outcome.code, reason: REJECT_REASONS[outcome.code] }
    registration.resend = outcome.resend
  }
  registration.updatedAt = context.now()
}
