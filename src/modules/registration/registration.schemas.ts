import { z } from 'zod'
import { checkedText, text } from '../../lib/text.js'
import { REGISTRATION_STATUSES } from '../../privy/index.js'
import { ListFilterFields } from '../list-filters.js'
import { SubmissionSchema } from '../submission.js'
import { DobSchema, NikSchema } from './identity/index.js'

export const REGISTRATION_TYPES = ['landing_page', 'privy_ra', 'merchant_ra'] as const
export const NEXT_ACTIONS = [
  'request_otp',
  'validate_otp',
  'open_registration_url',
  'wait',
  'resend',
  'register_again',
  'none',
] as const

export const PhoneSchema = z
  .string()
  .regex(/^62\d{8,13}$/, 'must be 62 followed by 8 to 13 digits, without "+" or spaces')
  .describe('Indonesian mobile number in international form without "+", e.g. 6281234567890')
  .meta({ example: '6281234567890' })

export const EmailSchema = z
  .email('must be an email address')
  .max(254)
  .meta({ example: 'siti@example.co.id' })

export const PersonNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128)
  .regex(/^[\p{L}\p{M}' .,-]+$/u, "may contain letters, spaces and . , ' - only")
  .meta({ example: 'Siti Aminah' })

export const LandingPageRegistrationBodySchema = z
  .strictObject({
    registration_type: z.literal('landing_page'),
    name: PersonNameSchema,
    email: EmailSchema,
    phone: PhoneSchema,
  })
  .describe("The user finishes KYC on Privy's landing page, at `registration_url`")
  .meta({ id: 'LandingPageRegistrationRequest' })

// Line breaks allowed: wrapped base64 is still exact (see decodeBase64Image). No `max` here: the cap
// is configured (REGISTRATION_*_MAX_BYTES) and checked on the text before anything is decoded.
const ImageText = checkedText(z.string().min(1, 'must not be empty'), 'lines')

// What OpenAPI shows for an image (type, minLength, pattern): the base64 text's own JSON Schema.
const { $schema: _dialect, ...IMAGE_TEXT_JSON_SCHEMA } = z.toJSONSchema(ImageText, { io: 'input' })

/**
 * An identity image: base64 text in JSON (checked as text here, decoded once by prepareIdentity), or
 * the bytes a multipart file part arrived as (`multipartToBody`), so a file is never turned into
 * base64 only to be decoded again (docs/decisions/upload-streaming.md). One schema for both: a
 * z.union would render as a one-branch `anyOf` and word its failures "Invalid input", so anything
 * but bytes is judged by the text schema, with its own messages, and OpenAPI shows that schema.
 */
const ImageSchema = (what: string) =>
  z
    .custom<string | Buffer>()
    .superRefine((value, ctx) => {
      // An empty file part fails as empty text did, with the same message.
      if (Buffer.isBuffer(value) && value.length > 0) return
      const checked = ImageText.safeParse(Buffer.isBuffer(value) ? '' : value)
      if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ ...issue })
    })
    .describe(
      `${what}, JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, ` +
        'or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.',
    )
    // The start of a real JPEG: shows the encoding; a whole photo does not fit an example.
    .meta({
      ...IMAGE_TEXT_JSON_SCHEMA,
      example: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U',
    })

const IdentityFields = {
  name: PersonNameSchema,
  email: EmailSchema,
  phone: PhoneSchema,
  nik: NikSchema,
  dob: DobSchema,
  ktp: ImageSchema('Photo of the KTP (identity card)'),
  selfie: ImageSchema('Selfie of the person'),
}

export const FullRegistrationBodySchema = z
  .strictObject({
    registration_type: z
      .enum(['privy_ra', 'merchant_ra'])
      .describe('`privy_ra`: Privy verifies the identity; `merchant_ra`: the merchant, as RA, already did'),
    ...IdentityFields,
    phone_verified: z
      .boolean()
      .default(false)
      .describe('true when the merchant already proved the phone: no registration OTP is sent'),
  })
  .meta({ id: 'FullRegistrationRequest' })

/** A file part of a multipart body, as OpenAPI says it so Swagger UI offers a file input. */
const FilePartSchema = (what: string) =>
  z.string().meta({ format: 'binary' }).describe(`${what}, JPEG or PNG; checked by content, never stored`)

/**
 * Documentation of the multipart variant (routes turn the parts into the JSON body before
 * validation): the same fields, the images as files, `phone_verified` as the text true or false.
 */
export const FullRegistrationMultipartSchema = FullRegistrationBodySchema.extend({
  ktp: FilePartSchema('Photo of the KTP (identity card)'),
  selfie: FilePartSchema('Selfie of the person'),
}).meta({ id: 'FullRegistrationMultipartRequest' })

export const CreateRegistrationBodySchema = z.discriminatedUnion('registration_type', [
  LandingPageRegistrationBodySchema,
  FullRegistrationBodySchema,
])
export type CreateRegistrationBody = z.infer<typeof CreateRegistrationBodySchema>
export type FullRegistrationBody = z.infer<typeof FullRegistrationBodySchema>

const ResendFields = {
  name: IdentityFields.name.optional(),
  nik: IdentityFields.nik.optional(),
  dob: IdentityFields.dob.optional(),
  ktp: IdentityFields.ktp.optional(),
  selfie: IdentityFields.selfie.optional(),
}

export const ResendRegistrationBodySchema = z
  .strictObject(ResendFields)
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'send at least one corrected field',
  })
  .refine((body) => (body.nik === undefined) === (body.dob === undefined), {
    message: 'nik and dob are corrected together, so they can be checked against each other',
    path: ['nik'],
  })
  .describe('Only the corrected fields, after a soft reject (`can_resend: true`)')
  .meta({ id: 'RegistrationResendRequest' })
export type ResendRegistrationBody = z.infer<typeof ResendRegistrationBodySchema>

/** The multipart variant of a resend, for the documentation (see FullRegistrationMultipartSchema). */
export const ResendRegistrationMultipartSchema = z
  .strictObject({
    ...ResendFields,
    ktp: FilePartSchema('Photo of the KTP (identity card)').optional(),
    selfie: FilePartSchema('Selfie of the person').optional(),
  })
  .describe('Only the corrected fields, after a soft reject; nik and dob together')
  .meta({ id: 'RegistrationResendMultipartRequest' })

export const RegistrationIdParamsSchema = z.strictObject({
  id: z.uuid('must be a registration id (UUID)'),
})

export const GetRegistrationQuerySchema = z.strictObject({
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('Ask Privy for the current status now instead of using a recent copy'),
})

export const ListRegistrationsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: text({ max: 200 }).optional().describe('The `next_cursor` of the previous page'),
  submission: SubmissionSchema.optional().describe(
    'Only registrations in this submission state; operators list `unresolved` ones to check with Privy',
  ),
  status: z.enum(REGISTRATION_STATUSES).optional().describe('Only registrations in this status'),
  registration_type: z.enum(REGISTRATION_TYPES).optional().describe('Only registrations of this type'),
  ...ListFilterFields,
})
export type ListRegistrationsQuery = z.infer<typeof ListRegistrationsQuerySchema>

export const RegistrationSchema = z
  .object({
    id: z.uuid(),
    reference_number: z.string().meta({ example: 'REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B' }),
    registration_type: z.enum(REGISTRATION_TYPES),
    status: z.enum(REGISTRATION_STATUSES),
    reject_reason: z
      .object({
        code: z.string().meta({ example: 'RJ_KTP_BLUR' }),
        reason: z.string().meta({ example: 'The KTP photo is blurred: the NIK cannot be read' }),
      })
      .nullable(),
    can_resend: z.boolean(),
    privy_id: z.string().nullable().meta({ example: 'SIAM4201' }),
    registration_url: z.string().nullable().meta({ example: 'https://stg-app.privy.id/register/7f3c2a9e5b' }),
    next_action: z
      .enum(NEXT_ACTIONS)
      .describe(
        'What the app should do next: `request_otp` (waiting_otp, no code sent yet or the last one ' +
          'expired or locked: POST /v1/otp), `validate_otp` (a code was sent and can be typed), ' +
          '`open_registration_url`, `wait`, `resend` (soft reject), `register_again` (hard reject, or ' +
          'Privy never confirmed this one: start a new registration), `none` (verified)',
      ),
    submission: SubmissionSchema,
    email: z.string().describe('Masked').meta({ example: 's***@example.co.id' }),
    phone: z.string().describe('Masked').meta({ example: '6281******890' }),
    owner: z
      .string()
      .optional()
      .describe('Operators only: who created it (`user:<sub>` or `operator:<key id>`)')
      .meta({ example: 'user:alice' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Registration' })

export type RegistrationView = z.infer<typeof RegistrationSchema>

/** Operators find a person's registrations by NIK, in a body: a NIK never goes in a URL or a log. */
export const RegistrationLookupBodySchema = z
  .strictObject({ nik: NikSchema })
  .meta({ id: 'RegistrationLookup' })
export type RegistrationLookupBody = z.infer<typeof RegistrationLookupBodySchema>

export const RegistrationListSchema = z
  .object({
    data: z.array(RegistrationSchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'RegistrationList' })
