import type {
  Prisma,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEndpoint,
  WebhookSecret,
} from '../../generated/prisma/client.js'
import type { CursorPosition } from '../../lib/cursor.js'

export type WebhookEndpointRecord = WebhookEndpoint & { secrets: WebhookSecret[] }
export type WebhookDeliveryRecord = WebhookDelivery & { event: { type: string } }
export type WebhookDeliveryDetailRecord = WebhookDelivery & {
  event: { type: string; payload: Prisma.JsonValue }
  attempts: WebhookAttempt[]
}

/** Everything one attempt needs, read after the delivery was leased. */
export interface AttemptTarget {
  deliveryId: string
  state: WebhookDeliveryState
  lease: Date
  eventId: string
  eventType: string
  payload: Prisma.JsonValue
  /** The event's W3C traceparent: the attempt's span continues that trace. */
  traceparent: string | null
  endpointId: string
  url: string
  endpointEnabled: boolean
  /** As stored (sealed); newest first. */
  secrets: WebhookSecret[]
  /** Attempts made by the schedule (replays excluded): the index into the retry schedule. */
  scheduledAttempts: number
}

export interface AttemptRecord {
  deliveryId: string
  lease: Date
  /** The delivery's state when it was leased: a failure never overwrites a change made meanwhile. */
  expectedState: WebhookDeliveryState
  startedAt: Date
  durationMs: number
  statusCode: number | null
  error: string | null
  responseExcerpt: string | null
  manual: boolean
  /** The delivery's next state; omitted by a failed replay, which leaves the schedule as it was. */
  next?: { state: WebhookDeliveryState; nextAttemptAt?: Date; succeededAt?: Date }
  endpoint: {
    id: string
    outcome: 'succeeded' | 'failed'
    /** Disable when the endpoint has been failing since this instant or earlier. */
    disableIfFailingSince: Date
    /** A previous failure before this instant is another spell: the failing clock starts again. */
    newSpellIfLastFailureBefore: Date
    /** Disable at once (410 Gone), with this reason. */
    disableNow?: string
    disabledReason: (failingSince: Date) => string
  }
}

export interface DeliveryFilter {
  endpointId?: string
  state?: WebhookDeliveryState
  eventType?: string
  eventId?: string
}

export const withSecrets = {
  secrets: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
} satisfies Prisma.WebhookEndpointInclude

export function after(position?: CursorPosition) {
  return position
    ? {
        OR: [
          { createdAt: { lt: position.createdAt } },
          { createdAt: position.createdAt, id: { lt: position.id } },
        ],
      }
    : {}
}

/** Pending deliveries of a disabled endpoint are not attempted any more (a replay can still send them). */
export async function cancelPending(tx: Prisma.TransactionClient, endpointId: string, reason: string) {
  await tx.webhookDelivery.updateMany({
    where: { endpointId, state: 'pending' },
    data: { state: 'cancelled', lastError: reason },
  })
}
