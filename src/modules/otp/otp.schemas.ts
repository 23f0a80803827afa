import { z } from 'zod'

export const OTP_TYPES = ['registration', 'document_signing'] as const
export const OTP_CHANNELS = ['sms', 'email'] as const
export const OTP_STATUSES = ['active', 'validated', 'locked', 'expired'] as const

const OtpChannelSchema = z.enum(OTP_CHANNELS).describe('Where Privy sends the code')

export const RequestOtpBodySchema = z
  .discriminatedUnion('otp_type', [
    z.strictObject({
      otp_type: z.literal('registration'),
      otp_channel: OtpChannelSchema,
      registration_id: z.uuid('must be a registration id (UUID)'),
    }),
    z.strictObject({
      otp_type: z.literal('document_signing'),
      otp_channel: OtpChannelSchema,
      document_ids: z
        .array(z.uuid('must be a document id (UUID)'))
        .min(1, 'must name at least one document')
        .max(20, 'at most 20 documents per OTP'),
    }),
  ])
  .meta({ id: 'OtpRequest' })

export type RequestOtpBody = z.infer<typeof RequestOtpBodySchema>

export const ValidateOtpBodySchema = z
  .strictObject({
    otp_code: z
      .string()
      .regex(/^\d{6}$/, 'must be the 6-digit code')
      .meta({ example: '482913' }),
  })
  .meta({ id: 'OtpValidation' })

export const OtpIdParamsSchema = z.strictObject({ id: z.uuid('must be an OTP transaction id (UUID)') })

export const OtpTransactionSchema = z
  .object({
    id: z.uuid(),
    otp_type: z.enum(OTP_TYPES),
    otp_channel: z.enum(OTP_CHANNELS),
    status: z.enum(OTP_STATUSES),
    registration_id: z.uuid().nullable(),
    document_ids: z.array(z.uuid()),
    expires_at: z.iso.datetime().describe('The code is refused after this instant'),
    resend_available_at: z.iso
      .datetime()
      .describe('`POST /v1/otp/{id}/resend` is refused before this instant'),
    requests_left: z.number().int().describe('Sends left on this transaction (the first send counts)'),
    attempts_left: z.number().int().describe('Wrong codes allowed before the transaction locks'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'OtpTransaction' })

export type OtpTransactionView = z.infer<typeof OtpTransactionSchema>

/** The answer to `POST /v1/otp`: a transaction, and whether it is one whose code was already sent. */
export const OtpRequestAnswerSchema = OtpTransactionSchema.extend({
  reused: z
    .boolean()
    .describe(
      'true (status 200): a code sent earlier for this registration (or these documents) and channel is ' +
        'still valid, and this is its transaction; no new code was sent. false (status 201): a new code was sent',
    ),
}).meta({ id: 'OtpRequestAnswer' })

export type OtpRequestAnswer = z.infer<typeof OtpRequestAnswerSchema>
