import { randomUUID } from 'node:crypto'
import type { Prisma } from '../../generated/prisma/client.js'
import { activeTraceparent } from '../../observability/trace-context.js'

/**
 * The outbox: every state change a merchant may care about is written here by the repository that
 * makes the change, inside the same transaction, so a change is never lost and never reported without
 * having happened. The dispatcher fans events out to endpoints afterwards.
 */

export const WEBHOOK_EVENT_TYPES = ['registration.updated', 'document.updated'] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** Ids and statuses only: never a name, NIK, date of birth, email, phone, token or image. */
export interface RegistrationEventData {
  id: string
  reference_number: string
  registration_type: string
  status: string
  /** `submitted`, or `unknown` while the gateway does not yet know whether Privy took it */
  submission: string
  privy_id: string | null
  reject_code: string | null
  can_resend: boolean
  updated_at: string
}

export interface DocumentEventData {
  id: string
  reference_number: string
  status: string
  submission: string
  signers: Array<{ privy_id: string; role: string; status: string; signed_at: string | null }>
  updated_at: string
}

/**
 * `audience`: the owner ids (`user:<sub>`) who may read the event in GET /v1/events, decided when it is
 * written (the resource's owner; a document's known signers too). Operators read every event.
 */
export type WebhookEventInput =
  | { type: 'registration.updated'; resourceId: string; audience: string[]; data: RegistrationEventData }
  | { type: 'document.updated'; resourceId: string; audience: string[]; data: DocumentEventData }

/**
 * Standard Webhooks payload: `{type, timestamp, data}`; the event id is the `webhook-id`. Returns that
 * id.
 */
export async function recordWebhookEvent(
  tx: Prisma.TransactionClient,
  event: WebhookEventInput,
  occurredAt: Date,
): Promise<string> {
  const payload = { type: event.type, timestamp: occurredAt.toISOString(), data: event.data }
  const id = `msg_${randomUUID().replaceAll('-', '')}`
  await tx.webhookEvent.create({
    data: {
      id,
      type: event.type,
      resourceId: event.resourceId,
      audience: [...new Set(event.audience)],
      payload: payload as unknown as Prisma.InputJsonValue,
      createdAt: occurredAt,
      // The trace of the request (or sweep) that made the change: its deliveries continue it.
      traceparent: activeTraceparent(),
    },
  })
  return id
}
