import { z } from 'zod'
import { isCalendarDate } from './dates.js'
import { fieldErrors, SimError } from './errors.js'
import { imageProblem } from './images.js'

/**
 * Request bodies of the upstream contract, written from docs/privy-contract.md and independent of the
 * gateway client's schemas, so that a misreading on either side shows up as a failing call.
 * Objects are strict: an unknown key is usually a misspelt field (`ktp` for `identity`,
 * `date_of_birth` for `dob`), and catching those is the simulator's job.
 */

export type Issue = { input?: unknown }

/** A string field whose absence reads "is required" instead of zod's type message. */
export function text(wrongType = 'must be a string') {
  return z.string({ error: (issue: Issue) => (issue.input === undefined ? 'is required' : wrongType) })
}

export function nonBlank() {
  return text().refine((value) => value.trim().length > 0, 'must not be blank')
}

export const referenceNumber = nonBlank().refine(
  (value) => value.length <= 64,
  'must be at most 64 characters',
)
export const channelId = nonBlank()
const registerToken = nonBlank()
const email = z.email({
  error: (issue: Issue) => (issue.input === undefined ? 'is required' : 'must be an email address'),
})
const phone = text().regex(/^62\d{8,13}$/, 'must be 62 followed by 8 to 13 digits, without +')
const name = nonBlank()
const nik = text().regex(/^\d{16}$/, 'must be 16 digits')
const dob = text().refine(isCalendarDate, 'must be a real date as YYYY-MM-DD')
const image = text().superRefine((value, context) => {
  const problem = imageProblem(value)
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
})
// docs/privy-contract.md §3.1 says boolean; "0"/"1" is accepted because Privy's other flags arrive that way (docs/privy-contract.md §5.1).
const phoneVerified = z
  .union([z.boolean(), z.literal('0'), z.literal('1')], { error: 'must be a boolean (or "0"/"1")' })
  .optional()
  .transform((value) => value === true || value === '1')

const commonRegisterFields = {
  reference_number: referenceNumber,
  channel_id: channelId,
  info: text().optional(),
  email,
  phone,
  phone_verified: phoneVerified,
}

const identityFields = { name, nik, dob, identity: image, selfie: image }

const landingPageRegistration = z.strictObject({
  ...commonRegisterFields,
  registration_type: z.literal('landing_page'),
  // The user enters these on Privy's page; when a client sends them anyway they must still be valid.
  name: name.optional(),
  nik: nik.optional(),
  dob: dob.optional(),
  identity: image.optional(),
  selfie: image.optional(),
})

const privyRaRegistration = z.strictObject({
  ...commonRegisterFields,
  registration_type: z.literal('privy_ra'),
  ...identityFields,
})

const merchantRaRegistration = z.strictObject({
  ...commonRegisterFields,
  registration_type: z.literal('merchant_ra'),
  ...identityFields,
})

/** docs/privy-contract.md §3.1 `POST /web/api/v2/register`. */
export const registerSchema = z.discriminatedUnion(
  'registration_type',
  [landingPageRegistration, privyRaRegistration, merchantRaRegistration],
  { error: 'must be one of landing_page, privy_ra, merchant_ra' },
)
export type RegisterInput = z.output<typeof registerSchema>

/** docs/privy-contract.md §3.3 `POST /web/api/v2/register/status`. */
export const registerStatusSchema = z.strictObject({
  reference_number: referenceNumber,
  channel_id: channelId,
  register_token: registerToken,
})

const CORRECTABLE_FIELDS = ['name', 'nik', 'dob', 'identity', 'selfie'] as const

/** docs/privy-contract.md §3.4 `POST /web/api/v2/register/resend`: the status fields plus at least one corrected field. */
export const resendSchema = z
  .strictObject({
    reference_number: referenceNumber,
    channel_id: channelId,
    register_token: registerToken,
    name: name.optional(),
    nik: nik.optional(),
    dob: dob.optional(),
    identity: image.optional(),
    selfie: image.optional(),
  })
  .refine((body) => CORRECTABLE_FIELDS.some((field) => body[field] !== undefined), {
    path: ['body'],
    message: 'must carry at least one corrected field: name, nik, dob, identity or selfie',
  })
export type ResendInput = z.output<typeof resendSchema>

export const otpChannel = z.enum(['sms', 'email'], {
  error: (issue: Issue) => (issue.input === undefined ? 'is required' : 'must be sms or email'),
})
const transactionId = nonBlank()

/** docs/privy-contract.md §4.1 `POST /web/api/v2/register/otp`. */
export const registerOtpSchema = z.strictObject({
  reference_number: referenceNumber,
  channel_id: channelId,
  register_token: registerToken,
  otp_channel: otpChannel,
})

/** docs/privy-contract.md §4.1 `POST /web/api/v2/register/otp-validation`; a number would lose leading zeros, so a string. */
export const otpValidationSchema = z.strictObject({
  transaction_id: transactionId,
  otp_code: text().regex(/^\d{6}$/, 'must be the 6-digit code as a string'),
})

/** docs/privy-contract.md §4.1 `POST /web/api/v2/register/otp-resend`. */
export const otpResendSchema = z.strictObject({ transaction_id: transactionId })

/** docs/privy-contract.md §2.1 `POST /oauth2/api/v1/token`. */
export const tokenSchema = z.strictObject({
  client_id: nonBlank(),
  client_secret: nonBlank(),
  grant_type: z.literal('client_credentials', {
    error: (issue: Issue) => (issue.input === undefined ? 'is required' : 'must be client_credentials'),
  }),
})

/** Parses a body or refuses it with 422 and the field errors. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body)
  if (!result.success) throw new SimError(422, fieldErrors(result.error))
  return result.data
}
