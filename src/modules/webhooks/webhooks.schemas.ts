import { z } from 'zod'
import { checkedText, text } from '../../lib/text.js'
import { WEBHOOK_EVENT_TYPES } from './webhooks.outbox.js'
import { MAX_WEBHOOK_URL_LENGTH } from './webhooks.url-policy.js'

export const WEBHOOK_DELIVERY_STATES = ['pending', 'succeeded', 'failed', 'cancelled'] as const

// One line: a URL parser drops tabs and newlines silently, so the URL called would not be the one stored.
const WebhookUrlSchema = checkedText(
  z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(MAX_WEBHOOK_URL_LENGTH),
)
  .describe(
    'Where events are POSTed. https, a public host, no `user:password@`; redirects are never followed. ' +
      'http and private hosts only where WEBHOOK_ALLOW_HTTP (or outside production).',
  )
  .meta({ example: 'https://merchant.example.co.id/hooks/privy' })

const EventTypesSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .max(WEBHOOK_EVENT_TYPES.length * 4)
  .describe('The event types sent to this endpoint; empty (the default) means all')

/** An operator's note: it may span lines, and tabs are fine; other control characters are not. */
const DescriptionSchema = text({ max: 500, trim: true, kind: 'lines' }).meta({
  example: 'Order service: registration and document status for checkout',
})

export const CreateWebhookEndpointBodySchema = z
  .strictObject({
    url: WebhookUrlSchema,
    description: DescriptionSchema.optional(),
    event_types: EventTypesSchema.default([]),
  })
  .meta({ id: 'CreateWebhookEndpointRequest' })

export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBodySchema>

export const UpdateWebhookEndpointBodySchema = z
  .strictObject({
    url: WebhookUrlSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    event_types: EventTypesSchema.optional(),
    enabled: z
      .boolean()
      .optional()
      .describe('true re-enables a disabled endpoint (its failure clock starts again); false disables it'),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'change at least one of url, description, event_types, enabled',
  })
  .meta({ id: 'UpdateWebhookEndpointRequest' })

export type UpdateWebhookEndpointBody = z.infer<typeof UpdateWebhookEndpointBodySchema>

export const RotateWebhookSecretBodySchema = z
  .strictObject({
    previous_secret_expires_in_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(86_400)
      .describe('How long the secrets in use now keep signing beside the new one; 0 retires them at once'),
  })
  .meta({ id: 'RotateWebhookSecretRequest' })

export const WebhookEndpointIdParamsSchema = z.strictObject({
  id: z.uuid('must be a webhook endpoint id (UUID)'),
})
export const WebhookDeliveryIdParamsSchema = z.strictObject({
  id: z.uuid('must be a webhook delivery id (UUID)'),
})

const LimitSchema = z.coerce.number().int().min(1).max(100).default(20)
const CursorSchema = text({ max: 200 }).optional()

export const ListWebhookEndpointsQuerySchema = z.strictObject({ limit: LimitSchema, cursor: CursorSchema })

export const ListWebhookDeliveriesQuerySchema = z.strictObject({
  limit: LimitSchema,
  cursor: CursorSchema,
  endpoint_id: z.uuid('must be a webhook endpoint id (UUID)').optional(),
  state: z.enum(WEBHOOK_DELIVERY_STATES).optional(),
  event_type: z.enum(WEBHOOK_EVENT_TYPES).optional(),
  event_id: z
    .string()
    .regex(/^msg_[0-9a-f]{32}$/, 'must be an event id (msg_…)')
    .optional(),
})

export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuerySchema>

export const WebhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string().meta({ example: 'https://merchant.example.co.id/hooks/privy' }),
    description: z.string().nullable(),
    event_types: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe('Empty means every type'),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    disabled_at: z.iso.datetime().nullable(),
    failing_since: z.iso.datetime().nullable().describe('First failure since the last success'),
    signing_secrets: z
      .array(z.object({ created_at: z.iso.datetime(), expires_at: z.iso.datetime().nullable() }))
      .describe('The secrets signing now, newest first (their values are shown only when created)'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' })

export type WebhookEndpointView = z.infer<typeof WebhookEndpointSchema>

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z
    .string()
    .meta({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3Cr2e0rHyDk=' })
    .describe(
      'The new signing secret (`whsec_` + base64 of 32 bytes) for Standard Webhooks verification. ' +
        'Shown in this response only: keep it now.',
    ),
}).meta({ id: 'WebhookEndpointWithSecret' })

export type WebhookEndpointWithSecretView = z.infer<typeof WebhookEndpointWithSecretSchema>

export const WebhookEndpointListSchema = z
  .object({ data: z.array(WebhookEndpointSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'WebhookEndpointList' })

export const WebhookDeliverySchema = z
  .object({
    id: z.uuid(),
    event_id: z
      .string()
      .describe('The `webhook-id` header of every attempt')
      .meta({ example: 'msg_3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f' }),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    endpoint_id: z.uuid(),
    state: z.enum(WEBHOOK_DELIVERY_STATES),
    attempt_count: z.number().int().describe('Attempts made, replays included'),
    next_attempt_at: z.iso.datetime().nullable().describe('While pending'),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    succeeded_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' })

export type WebhookDeliveryView = z.infer<typeof WebhookDeliverySchema>

export const WebhookAttemptSchema = z
  .object({
    number: z.int(),
    started_at: z.iso.datetime(),
    duration_ms: z.int(),
    status_code: z.int().nullable().describe("The endpoint's answer; null when none came"),
    error: z.string().nullable(),
    response_excerpt: z.string().nullable().describe("The first 1 KiB of the endpoint's answer"),
    manual: z.boolean().describe('Sent by a replay rather than by the retry schedule'),
  })
  .meta({ id: 'WebhookAttempt' })

export const WebhookDeliveryDetailSchema = WebhookDeliverySchema.extend({
  payload: z
    .record(z.string(), z.unknown())
    .describe('The body sent: {type, timestamp, data} with ids and statuses only'),
  attempts: z.array(WebhookAttemptSchema).describe('Oldest first'),
}).meta({ id: 'WebhookDeliveryDetail' })

export type WebhookDeliveryDetailView = z.infer<typeof WebhookDeliveryDetailSchema>

export const WebhookDeliveryListSchema = z
  .object({ data: z.array(WebhookDeliverySchema), next_cursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryList' })

const EVENT_ID = /^msg_[0-9a-f]{32}$/

/** An outbox event id: the `webhook-id` header of every delivery of that event. */
export const EventIdSchema = z.string().regex(EVENT_ID, 'must be an event id (msg_…)')

export const ListEventsQuerySchema = z.strictObject({
  limit: LimitSchema,
  cursor: CursorSchema,
  order: z
    .enum(['newest_first', 'oldest_first'])
    .default('newest_first')
    .describe('`oldest_first` to catch up from a point in time, in the order things happened'),
  type: z.enum(WEBHOOK_EVENT_TYPES).optional().describe('Only events of this type'),
  created_after: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' })
    .optional()
    .describe(
      'Only events at or after this instant, like the lists: from the `created_at` of the last event ' +
        'you handled, that one comes again (skip it by `id`) and none of the same instant is missed',
    ),
})
export type ListEventsQuery = z.infer<typeof ListEventsQuerySchema>

export const EventSchema = z
  .object({
    id: z
      .string()
      .describe('The `webhook-id` of its deliveries')
      .meta({ example: 'msg_2f1c0d8e9b7a4c3d8e1f0a9b8c7d6e5f' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    created_at: z.iso.datetime().describe("The payload's `timestamp`: when the change happened"),
    data: z
      .record(z.string(), z.unknown())
      .describe("The webhook's `data`, as delivered: ids and statuses of the resource, never personal data"),
  })
  .meta({ id: 'Event' })

export const EventListSchema = z
  .object({ data: z.array(EventSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'EventList' })
