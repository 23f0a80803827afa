import { z } from 'zod'

/**
 * Building blocks for the `data` schemas of the resources. Objects strip unknown fields (extra fields
 * are allowed, not passed on); a missing or wrongly typed required field fails validation.
 */

/** An optional string that some upstreams send as `null`. */
export const OptionalString = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined)

/** A count that may arrive as a JSON number or a numeric string. */
export const Count = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(0))

/** A flag that may arrive as a boolean, `"0"`/`"1"`, `"true"`/`"false"` or 0/1 (docs/privy-contract.md §3.2, §5.1). */
export const Flag = z.union([
  z.boolean(),
  z.enum(['0', '1', 'true', 'false']).transform((value) => value === '1' || value === 'true'),
  z.union([z.literal(0), z.literal(1)]).transform((value) => value === 1),
])

/** docs/privy-contract.md §3.2. */
export const REGISTRATION_STATUSES = [
  'pending',
  'waiting_otp',
  'waiting_verification',
  'verified',
  'rejected',
] as const
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]

/** Older upstreams answer `registered` (the user already had an account): the same as `verified`. */
export const RegistrationStatusSchema = z
  .enum([...REGISTRATION_STATUSES, 'registered'])
  .transform((status) => (status === 'registered' ? 'verified' : status))

/** docs/privy-contract.md §5.2: a document's life from upload to the signed (and stamped) PDF. */
export const DOCUMENT_STATUSES = [
  'uploaded',
  'processing',
  'processing_emeterai',
  'completed',
  'revoked',
  'expired',
  'error',
] as const
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number]
export const DocumentStatusSchema = z.enum(DOCUMENT_STATUSES)

/** docs/privy-contract.md §5.2: one signer's progress on one document. */
export const SIGNER_STATUSES = ['waiting', 'signed', 'rejected'] as const
export type SignerStatus = (typeof SIGNER_STATUSES)[number]
export const SignerStatusSchema = z.enum(SIGNER_STATUSES)

/** docs/privy-contract.md §5.1: the role of a document recipient. */
export type SignerType = 'Signer' | 'Reviewer'
export const SignerTypeSchema = z.enum(['Signer', 'Reviewer'])

export interface RejectReason {
  /** e.g. `RC01` (soft) or `RC09` (hard); see docs/privy-contract.md §3.2. */
  code: string
  reason: string
}

export const RejectReasonSchema = z.object({ code: z.string(), reason: z.string() })

export type OtpChannel = 'sms' | 'email'
export const OtpChannelSchema = z.enum(['sms', 'email'])

/** The answer to an OTP request or resend (docs/privy-contract.md §4.1, §4.2). */
export interface OtpTransaction {
  transaction_id: string
  otp_channel: OtpChannel
  expired_at: string
  resend_available_at: string
  request_count: number
  maximum_otp_request: number
}

export const OtpTransactionSchema: z.ZodType<OtpTransaction> = z.object({
  transaction_id: z.string().min(1),
  otp_channel: OtpChannelSchema,
  expired_at: z.string(),
  resend_available_at: z.string(),
  request_count: Count,
  maximum_otp_request: Count,
})

/** Copies the defined values of `keys` from `input` after `head`, in that order (the signed order). */
export function wireBody<I extends object>(
  head: Record<string, unknown>,
  input: I,
  keys: readonly (keyof I & string)[],
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...head }
  for (const key of keys) {
    const value = input[key]
    if (value !== undefined) body[key] = value
  }
  return body
}
