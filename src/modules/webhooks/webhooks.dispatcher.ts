import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../config/config.js'
import type { BackgroundLoopOptions } from '../../lib/background-loop.js'
import { withStoredParent } from '../../observability/trace-context.js'
import type { AttemptRecord, AttemptTarget, WebhookRepository } from './webhooks.repository.js'
import type { SecretBox } from './webhooks.secret-box.js'
import type { SendResult, WebhookSender } from './webhooks.sender.js'
import { signWebhook } from './webhooks.signing.js'

export type WebhookSettings = Config['webhooks']

export interface WebhookDispatcherDeps {
  repository: WebhookRepository
  sender: WebhookSender
  secrets: SecretBox
  /** The injected clock: every schedule, lease and failure window is measured by it. */
  now: () => Date
  settings: WebhookSettings
  logger: FastifyBaseLogger
}

/** A lease outlives the attempt's own deadline by this much, for the database writes around it. */
const LEASE_MARGIN_MS = 60_000
const FAN_OUT_BATCH = 100
const DELIVERY_BATCH = 16
/** Retries are spread by up to +10 %: never earlier than the schedule, so its span is a minimum. */
const JITTER = 0.1

/**
 * Outbox events → deliveries → HTTP attempts. Both sweeps lease their rows in the database, so any
 * number of gateway instances can run them and an attempt is made by one instance only.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps) {
  const { repository, settings } = deps
  const schedule = settings.retryScheduleMs
  const leaseMs = settings.timeoutMs + LEASE_MARGIN_MS
  const later = (from: Date, ms: number) => new Date(from.getTime() + ms)

  async function fanOut(): Promise<number> {
    const now = deps.now()
    return repository.fanOut({ now, firstAttemptAt: later(now, schedule[0] ?? 0), batch: FAN_OUT_BATCH })
  }

  async function deliverDue(): Promise<number> {
    const now = deps.now()
    const lease = later(now, leaseMs)
    const ids = await repository.leaseDue({ now, leaseUntil: lease, batch: DELIVERY_BATCH })
    const targets = await repository.attemptTargets(ids, lease, now)
    const outcomes = await Promise.allSettled(targets.map((target) => attempt(target, { manual: false })))
    for (const [index, outcome] of outcomes.entries()) {
      // Not recorded (database trouble): the lease runs out and the delivery is attempted again.
      if (outcome.status === 'rejected') {
        deps.logger.error(
          { err: outcome.reason, webhook: { delivery_id: targets[index]?.deliveryId } },
          'webhook attempt could not be recorded',
        )
      }
    }
    return ids.length
  }

  /** Leases one delivery for a replay; false while another attempt of it is in flight. */
  async function leaseForReplay(deliveryId: string): Promise<AttemptTarget | null> {
    const now = deps.now()
    const lease = later(now, leaseMs)
    if (!(await repository.leaseOne(deliveryId, now, lease))) return null
    const [target] = await repository.attemptTargets([deliveryId], lease, now)
    return target ?? null
  }

  /** One signed POST of the event's stored payload, recorded whatever it came to. */
  async function attempt(target: AttemptTarget, options: { manual: boolean }): Promise<void> {
    if (!target.endpointEnabled) {
      // Disabled between the lease and now: its pending deliveries were cancelled, nothing to send.
      await repository.releaseLease(target.deliveryId, target.lease)
      return
    }
    // The same bytes on every attempt: the stored payload, serialised the same way each time.
    const body = JSON.stringify(target.payload)
    const startedAt = deps.now()
    // In the trace of the request that caused the event, not the sweep's: the receiver gets its traceparent.
    const result = await withStoredParent(
      target.traceparent,
      `webhook ${target.eventType}`,
      { 'webhook.event_type': target.eventType, 'webhook.manual': options.manual },
      () => send(target, startedAt, body),
    )
    const finishedAt = deps.now()
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300
    const record: AttemptRecord = {
      deliveryId: target.deliveryId,
      lease: target.lease,
      expectedState: target.state,
      startedAt,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error ?? (succeeded ? null : `the endpoint answered ${result.statusCode}`),
      responseExcerpt: result.responseExcerpt,
      manual: options.manual,
      next: succeeded
        ? { state: 'succeeded', succeededAt: finishedAt }
        : options.manual
          ? undefined
          : nextAfterFailure(target.scheduledAttempts + 1, finishedAt, result),
      endpoint: {
        id: target.endpointId,
        outcome: succeeded ? 'succeeded' : 'failed',
        // The spell is measured with one clock reading, the one the attempt is recorded under: an
        // attempt that starts before a clock step and ends after it must not open a spell at its
        // start and judge it by its end (that alone could span the whole disable window).
        disableIfFailingSince: later(startedAt, -settings.disableAfterHours * 3_600_000),
        // Sustained failure fails at least once per step of the schedule: a gap of twice its longest
        // step without a failure means the endpoint was quiet, not failing.
        newSpellIfLastFailureBefore: later(startedAt, -2 * Math.max(...settings.retryScheduleMs)),
        disableNow: result.statusCode === 410 ? 'the endpoint answered 410 Gone' : undefined,
        disabledReason: (failingSince) =>
          `failing without a success since ${failingSince.toISOString()} ` +
          `(more than ${settings.disableAfterHours} h)`,
      },
    }
    const recorded = await repository.recordAttempt(record)
    if (!recorded) {
      deps.logger.info(
        { webhook: { delivery_id: target.deliveryId, endpoint_id: target.endpointId } },
        'webhook attempt made for a delivery deleted meanwhile (its endpoint was deleted)',
      )
      return
    }
    const { attemptNumber, endpointDisabled } = recorded
    // Ids, numbers and the outcome: never the URL (it may carry a merchant's token), a secret or a body.
    const fields = {
      webhook: {
        event_id: target.eventId,
        event_type: target.eventType,
        delivery_id: target.deliveryId,
        endpoint_id: target.endpointId,
        attempt: attemptNumber,
        manual: options.manual,
        status_code: result.statusCode,
        duration_ms: result.durationMs,
        outcome: succeeded ? 'succeeded' : 'failed',
        delivery_state: record.next?.state ?? target.state,
        error: record.error,
        next_attempt_at: record.next?.nextAttemptAt?.toISOString(),
      },
    }
    if (succeeded) deps.logger.info(fields, 'webhook attempt succeeded')
    else deps.logger.warn(fields, 'webhook attempt failed')
    if (endpointDisabled) {
      deps.logger.warn(
        {
          webhook: {
            endpoint_id: target.endpointId,
            reason: record.endpoint.disableNow ?? 'sustained failure',
          },
        },
        'webhook endpoint disabled',
      )
    }
  }

  async function send(target: AttemptTarget, sentAt: Date, body: string): Promise<SendResult> {
    let secrets: string[]
    try {
      secrets = target.secrets.map((secret) => deps.secrets.open(secret.id, secret.secret))
    } catch {
      return noSend('the signing secret could not be opened (PII_ENCRYPTION_KEY changed?)')
    }
    if (secrets.length === 0) return noSend('the endpoint has no valid signing secret')
    return deps.sender.send(target.url, signWebhook(secrets, target.eventId, sentAt, body), body)
  }

  /** `attemptsMade` scheduled attempts failed: wait the schedule's next delay, or give up. */
  function nextAfterFailure(attemptsMade: number, at: Date, result: SendResult): AttemptRecord['next'] {
    const delay = schedule[attemptsMade]
    if (delay === undefined) return { state: 'failed' }
    let waitMs = delay * (1 + Math.random() * JITTER)
    // A throttling endpoint's Retry-After is honoured, within the schedule's longest step.
    if (result.retryAfterSeconds !== null) {
      waitMs = Math.max(waitMs, Math.min(result.retryAfterSeconds * 1000, Math.max(...schedule)))
    }
    return { state: 'pending', nextAttemptAt: later(at, Math.round(waitMs)) }
  }

  function loops(logger: FastifyBaseLogger): BackgroundLoopOptions[] {
    return [
      { name: 'webhook-fan-out', intervalMs: settings.dispatchIntervalMs, sweep: fanOut, logger },
      { name: 'webhook-delivery', intervalMs: settings.dispatchIntervalMs, sweep: deliverDue, logger },
    ]
  }

  return { fanOut, deliverDue, leaseForReplay, attempt, loops }
}

function noSend(error: string): SendResult {
  return { statusCode: null, error, responseExcerpt: null, retryAfterSeconds: null, durationMs: 0 }
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>
