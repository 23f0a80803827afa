import { z } from 'zod'
import { text } from '../../lib/text.js'
import {
  DocumentStatusSchema,
  Flag,
  RegistrationStatusSchema,
  SignerStatusSchema,
  SignerTypeSchema,
} from '../../privy/index.js'
import {
  ChannelId,
  EMETERAI_STATUSES,
  EmeteraiSerial,
  freeText,
  optional,
  PrivyId,
  ReferenceNumber,
  RejectCode,
  SigningUrl,
  UpstreamEmail,
  UpstreamPhone,
  UpstreamTime,
  UpstreamToken,
} from './callback.formats.js'

/*
 * What a callback's data must be before anything is applied: every field in its strict format
 * (callback.formats.ts), statuses only from the contract's sets (docs/privy-contract.md §3.2, §5.2). Unknown fields are
 * tolerated (Privy may add some) but stripped: nothing past these schemas sees them.
 */

/** The registration object of a `register` callback: the docs/privy-contract.md §3.3 status data (docs/privy-contract.md §6). */
export const RegisterCallbackDataSchema = z.object({
  reference_number: ReferenceNumber,
  channel_id: optional(ChannelId),
  register_token: optional(UpstreamToken),
  // Older upstreams say `registered` for an existing account: it is `verified` (docs/privy-contract.md §3.2).
  status: RegistrationStatusSchema,
  privy_id: optional(PrivyId),
  email: optional(UpstreamEmail),
  phone: optional(UpstreamPhone),
  reject_reason: optional(z.object({ code: RejectCode, reason: freeText(500) })),
  resend: optional(Flag),
  updated_at: optional(UpstreamTime),
})

export type RegisterCallbackData = z.infer<typeof RegisterCallbackDataSchema>

/** The document object of a `document` callback: the docs/privy-contract.md §5.3 status data without the signed PDF. */
export const DocumentCallbackDataSchema = z.object({
  reference_number: ReferenceNumber,
  channel_id: optional(ChannelId),
  document_token: optional(UpstreamToken),
  signing_url: optional(SigningUrl),
  status: DocumentStatusSchema,
  signers: optional(
    z
      .array(
        z.object({
          privy_id: PrivyId,
          signer_type: optional(SignerTypeSchema),
          status: SignerStatusSchema,
          signed_at: optional(UpstreamTime),
        }),
      )
      // The gateway uploads at most 20 signers a document.
      .max(50),
  ),
  emeterai: optional(
    z.object({ status: z.enum(EMETERAI_STATUSES), serial_number: optional(EmeteraiSerial) }),
  ),
})

export type DocumentCallbackData = z.infer<typeof DocumentCallbackDataSchema>

export const CALLBACK_EVENTS = ['register', 'document'] as const
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number]

/**
 * The envelope Privy POSTs (docs/privy-contract.md §6). Documentation only at the route: the body is read as raw
 * bytes (the signature covers them), and the service parses it with this schema once verified.
 */
export const PrivyCallbackBodySchema = z
  .looseObject({
    event: z.enum(CALLBACK_EVENTS).describe('What changed'),
    data: z
      .looseObject({ reference_number: z.string().meta({ example: 'REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B' }) })
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
          'reference, or will be applied shortly by the background consumer',
      ),
    duplicate: z
      .boolean()
      .describe(
        'The same callback (the same canonical form, whatever its whitespace) was received before: ' +
          'nothing was applied again',
      ),
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
          'unknown reference); `rejected`: missing, wrong or stale signature, never applied; ' +
          '`failed`: verified but refused for not fitting the contract formats (422), or applying ' +
          'kept failing (see `error`)',
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
