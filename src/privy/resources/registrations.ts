import { z } from 'zod'
import type { SideEffectOptions } from '../late-answers.js'
import { lateAnswerOnly, type PrivyOperation, type PrivyRequester } from '../request.js'
import {
  Flag,
  OptionalString,
  type RegistrationStatus,
  RegistrationStatusSchema,
  type RejectReason,
  RejectReasonSchema,
  wireBody,
} from '../schemas.js'
import { createRegistrationOtpResource, type RegistrationOtpResource } from './registration-otp.js'

/** Registration (docs/privy-contract.md §3). `channel_id` is added by the client. */

export type RegistrationType = 'landing_page' | 'privy_ra' | 'merchant_ra'

export interface RegisterInput {
  /** ≤ 64 chars, unique per channel; a repeat is refused with 409. */
  reference_number: string
  registration_type: RegistrationType
  /** Required unless `landing_page`. */
  name?: string
  email: string
  /** `62` + 8–13 digits, no `+`. */
  phone: string
  /** 16 digits; required unless `landing_page`. */
  nik?: string
  /** `YYYY-MM-DD`; required unless `landing_page`. */
  dob?: string
  info?: string
  /** True when the merchant already verified the phone, so Privy skips the registration OTP. */
  phone_verified?: boolean
  /** KTP photo, JPEG/PNG bytes, sent as base64; required unless `landing_page`. Not signed (docs/privy-contract.md §2.3). */
  identity?: Uint8Array
  /** Selfie, JPEG/PNG bytes, sent as base64; required unless `landing_page`. Not signed (docs/privy-contract.md §2.3). */
  selfie?: Uint8Array
}

export interface RegisterResult {
  reference_number: string
  channel_id: string
  register_token: string
  status: RegistrationStatus
  /** Only for `landing_page`: where the user finishes KYC. */
  registration_url?: string
}

export interface RegistrationRef {
  reference_number: string
  register_token: string
}

export interface RegistrationStatusResult {
  reference_number: string
  channel_id: string
  register_token: string
  status: RegistrationStatus
  privy_id?: string
  email: string
  phone: string
  reject_reason?: RejectReason
  /** With `rejected`: true is a soft reject (fix and resend), false a hard one (register again). */
  resend?: boolean
  updated_at: string
}

/** Corrected fields after a soft reject (docs/privy-contract.md §3.4). */
export interface RegistrationResendInput extends RegistrationRef {
  name?: string
  nik?: string
  dob?: string
  identity?: Uint8Array
  selfie?: Uint8Array
}

/** docs/privy-contract.md §3.4 only promises the new status; the other fields are passed on when present. */
export interface RegistrationResendResult {
  reference_number?: string
  channel_id?: string
  register_token?: string
  status: RegistrationStatus
}

const RegisterData: z.ZodType<RegisterResult> = z.object({
  reference_number: z.string(),
  channel_id: z.string(),
  register_token: z.string().min(1),
  status: RegistrationStatusSchema,
  registration_url: OptionalString,
})

const StatusData: z.ZodType<RegistrationStatusResult> = z.object({
  reference_number: z.string(),
  channel_id: z.string(),
  register_token: z.string(),
  status: RegistrationStatusSchema,
  privy_id: OptionalString,
  email: z.string(),
  phone: z.string(),
  reject_reason: RejectReasonSchema.nullish().transform((value) => value ?? undefined),
  resend: Flag.nullish().transform((value) => value ?? undefined),
  updated_at: z.string(),
})

const ResendData: z.ZodType<RegistrationResendResult> = z.object({
  reference_number: OptionalString,
  channel_id: OptionalString,
  register_token: OptionalString,
  status: RegistrationStatusSchema,
})

const REGISTER: PrivyOperation<RegisterResult> = {
  name: 'registrations.register',
  path: '/web/api/v2/register',
  retry: 'never',
  data: RegisterData,
}
const STATUS: PrivyOperation<RegistrationStatusResult> = {
  name: 'registrations.status',
  path: '/web/api/v2/register/status',
  retry: 'safe',
  data: StatusData,
}
const RESEND: PrivyOperation<RegistrationResendResult> = {
  name: 'registrations.resend',
  path: '/web/api/v2/register/resend',
  retry: 'never',
  data: ResendData,
}

export interface RegistrationsResource {
  /**
   * docs/privy-contract.md §3.1. Never retried: a lost answer leaves the outcome unknown. With `onLateAnswer`, an answer
   * after the deadline (with the register_token) still reaches the caller (late-answers.ts).
   */
  register(input: RegisterInput, options?: SideEffectOptions<RegisterResult>): Promise<RegisterResult>
  /** docs/privy-contract.md §3.3. Safe to repeat, so transient failures are retried. */
  status(input: RegistrationRef): Promise<RegistrationStatusResult>
  /** docs/privy-contract.md §3.4, after a soft reject. Never retried. */
  resend(
    input: RegistrationResendInput,
    options?: SideEffectOptions<RegistrationResendResult>,
  ): Promise<RegistrationResendResult>
  /** docs/privy-contract.md §4.1. */
  otp: RegistrationOtpResource
}

export function createRegistrationsResource(
  request: PrivyRequester,
  channelId: string,
): RegistrationsResource {
  // reference_number, then channel_id, then the rest: the order of the contract's test vector.
  const head = (ref: { reference_number: string }) => ({
    reference_number: ref.reference_number,
    channel_id: channelId,
  })
  return {
    register: (input, options) =>
      request(
        REGISTER,
        wireBody(head(input), withPhotosEncoded(input), [
          'registration_type',
          'name',
          'email',
          'phone',
          'nik',
          'dob',
          'info',
          'phone_verified',
          'identity',
          'selfie',
        ]),
        lateAnswerOnly(options),
      ),
    status: (input) => request(STATUS, wireBody(head(input), input, ['register_token'])),
    resend: (input, options) =>
      request(
        RESEND,
        wireBody(head(input), withPhotosEncoded(input), [
          'register_token',
          'name',
          'nik',
          'dob',
          'identity',
          'selfie',
        ]),
        lateAnswerOnly(options),
      ),
    otp: createRegistrationOtpResource(request, channelId),
  }
}

/**
 * The photos travel as bytes from the upload to here; Privy takes them as plain base64, no data URL
 * prefix (docs/privy-contract.md §3.1 "base64 JPEG/PNG": the bare form is the one every reading of it
 * accepts). Encoded once, here.
 */
function withPhotosEncoded<I extends { identity?: Uint8Array; selfie?: Uint8Array }>(input: I) {
  return { ...input, identity: photoBase64(input.identity), selfie: photoBase64(input.selfie) }
}

/** Plain base64 of exactly the bytes of the view (not of its whole backing buffer). */
export function photoBase64(bytes: Uint8Array | undefined): string | undefined {
  return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
