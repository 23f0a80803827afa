import { z } from 'zod'
import { text } from '../../lib/text.js'

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

export const CALLBACK_EVENTS = ['register', 'document'] as const
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number]

/**
 * The envelope Privy POSTs (contract §6). Documentation only at the route: the body is read as raw
 * bytes (the signature covers them), and the service parses it with this schema once verified.
 */
export const PrivyCallbackBodySchema = z
  .looseObject({
    event: z.enum(CALLBACK_EVENTS).describe('What changed'),
    data: z
      .looseObject({ reference_number: z.string() })
      .describe('The same object as the matching status call'),
  })
  .meta({ id: 'PrivyCallback' })

export const CallbackReceiptSchema = z
  .object({
    received: z.literal(true).describe('The callback is stored: Privy need not send it again'),
    applied: z
      .boolean()
      .describe(
        'true when it moved a registration or document. false when it was stale, about an unknown ' +
          'reference, not understood, or will be applied shortly by the background consumer',
      ),
    duplicate: z.boolean().describe('The same bytes were received before: nothing was applied again'),
  })
  .meta({ id: 'CallbackReceipt' })

export type CallbackReceipt = z.infer<typeof CallbackReceiptSchema>

export const CALLBACK_STATES = ['received', 'applied', 'ignored', 'rejected', 'failed'] as const
export type CallbackState = (typeof CALLBACK_STATES)[number]

/** What an operator sees of a stored callback: metadata only, never its body. */
export const StoredCallbackSchema = z
  .object({
    id: z.uuid(),
    event: z.string().nullable().describe('As the body named it (also for rejected bodies)'),
    reference_number: z.string().nullable(),
    state: z
      .enum(CALLBACK_STATES)
      .describe(
        '`received`: verified, waiting to be applied (retried in the background); `applied`: it moved ' +
          'a registration or document; `ignored`: nothing to do (stale, backward, duplicate status, ' +
          'unknown reference or event); `rejected`: missing, wrong or stale signature, never applied; ' +
          '`failed`: verified but not understood, or applying kept failing (see `error`)',
      ),
    signature_valid: z.boolean(),
    error: z.string().nullable().describe('Why it was rejected, ignored or failed'),
    size_bytes: z.number().int(),
    attempts: z.number().int().describe('How many times applying it was started'),
    received_at: z.iso.datetime(),
    processed_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'StoredPrivyCallback' })

export type StoredCallbackView = z.infer<typeof StoredCallbackSchema>

export const StoredCallbackListSchema = z
  .object({ data: z.array(StoredCallbackSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'StoredPrivyCallbackList' })

export const ListCallbacksQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: text({ max: 200 }).optional().describe('The `next_cursor` of the previous page'),
  state: z.enum(CALLBACK_STATES).optional(),
  reference_number: text({ min: 1, max: 64 }).optional(),
})

export type ListCallbacksQuery = z.infer<typeof ListCallbacksQuerySchema>

export const CallbackIdParamsSchema = z.strictObject({ id: z.uuid('must be a callback id (UUID)') })
