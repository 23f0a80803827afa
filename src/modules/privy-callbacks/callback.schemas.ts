import { z } from 'zod'

const flag = z
  .union([z.boolean(), z.enum(['0', '1', 'true', 'false'])])
  .transform((value) => value === true || value === '1' || value === 'true')

/** The registration object of a `register` callback: the same as Privy's status answer (contract §6). */
export const RegisterCallbackDataSchema = z.looseObject({
  reference_number: z.string().min(1).max(64),
  channel_id: z.string().optional(),
  status: z
    .enum(['pending', 'waiting_otp', 'waiting_verification', 'verified', 'rejected', 'registered'])
    // Older upstreams say `registered` for an existing account: it is `verified` (contract §3.2).
    .transform((status) => (status === 'registered' ? 'verified' : status)),
  privy_id: z.string().min(1).nullish(),
  reject_reason: z.object({ code: z.string(), reason: z.string() }).nullish(),
  resend: flag.nullish(),
  register_token: z.string().min(1).optional(),
  updated_at: z.string().optional(),
})

/** The document object of a `document` callback: the §5.3 status data without the signed PDF. */
export const DocumentCallbackDataSchema = z.looseObject({
  reference_number: z.string().min(1).max(64),
  document_token: z.string().min(1).optional(),
  signing_url: z.string().optional(),
  status: z.enum([
    'uploaded',
    'processing',
    'processing_emeterai',
    'completed',
    'revoked',
    'expired',
    'error',
  ]),
  signers: z
    .array(z.looseObject({ privy_id: z.string(), status: z.string(), signed_at: z.string().optional() }))
    .optional(),
  emeterai: z.looseObject({ status: z.string(), serial_number: z.string().optional() }).optional(),
})

export const PrivyCallbackBodySchema = z
  .looseObject({
    event: z.enum(['register', 'document']).describe('What changed'),
    data: z
      .looseObject({ reference_number: z.string() })
      .describe('The same object as the matching status call'),
  })
  .meta({ id: 'PrivyCallback' })

export const CallbackReceiptSchema = z
  .object({
    received: z.literal(true),
    applied: z
      .boolean()
      .describe('false when the callback was stale, a duplicate or about an unknown reference'),
  })
  .meta({ id: 'CallbackReceipt' })
