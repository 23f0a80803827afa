import type {
  WebhookDeliveryDetailRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from './webhooks.repository.js'
import type {
  WebhookDeliveryDetailView,
  WebhookDeliveryView,
  WebhookEndpointView,
} from './webhooks.schemas.js'

type EventType = WebhookEndpointView['event_types'][number]

const iso = (date: Date | null) => (date ? date.toISOString() : null)

/** Never a secret's value: only when each signs from and until. */
export function toWebhookEndpointView(record: WebhookEndpointRecord, now: Date): WebhookEndpointView {
  return {
    id: record.id,
    url: record.url,
    description: record.description,
    event_types: record.eventTypes as EventType[],
    enabled: record.enabled,
    disabled_reason: record.disabledReason,
    disabled_at: iso(record.disabledAt),
    failing_since: iso(record.failingSince),
    signing_secrets: record.secrets
      .filter((secret) => secret.expiresAt === null || secret.expiresAt > now)
      .map((secret) => ({ created_at: secret.createdAt.toISOString(), expires_at: iso(secret.expiresAt) })),
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}

export function toWebhookDeliveryView(record: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: record.id,
    event_id: record.eventId,
    event_type: record.event.type as EventType,
    endpoint_id: record.endpointId,
    state: record.state,
    attempt_count: record.attemptCount,
    next_attempt_at: record.state === 'pending' ? record.nextAttemptAt.toISOString() : null,
    last_status_code: record.lastStatusCode,
    last_error: record.lastError,
    succeeded_at: iso(record.succeededAt),
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}

export function toWebhookDeliveryDetailView(record: WebhookDeliveryDetailRecord): WebhookDeliveryDetailView {
  return {
    ...toWebhookDeliveryView(record),
    payload: record.event.payload as Record<string, unknown>,
    attempts: record.attempts.map((attempt) => ({
      number: attempt.attemptNumber,
      started_at: attempt.startedAt.toISOString(),
      duration_ms: attempt.durationMs,
      status_code: attempt.statusCode,
      error: attempt.error,
      response_excerpt: attempt.responseExcerpt,
      manual: attempt.manual,
    })),
  }
}
