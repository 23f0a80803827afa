import { randomUUID } from 'node:crypto'
import { BACKGROUND_TRANSACTION } from '../../db/background-transaction.js'
import type { PrismaClient } from '../../generated/prisma/client.js'
import type { CursorPosition } from '../../lib/cursor.js'
import {
  type AttemptRecord,
  type AttemptTarget,
  after,
  cancelPending,
  type DeliveryFilter,
  type WebhookDeliveryDetailRecord,
  type WebhookDeliveryRecord,
} from './webhooks.records.js'

/** Outbox fan-out, leased deliveries and their attempts: what the dispatcher works through. */
export function webhookDeliveries(prisma: PrismaClient) {
  return {
    /**
     * Fan-out: undispatched outbox events, locked so no other instance takes them, become one delivery
     * per enabled endpoint that wants their type. The unique (event, endpoint) makes a repeat harmless.
     */
    async fanOut(input: { now: Date; firstAttemptAt: Date; batch: number }): Promise<number> {
      return prisma.$transaction(async (tx) => {
        const events = await tx.$queryRaw<Array<{ id: string; type: string }>>`
          SELECT id, type FROM webhook_events
          WHERE dispatched_at IS NULL
          ORDER BY created_at, id
          LIMIT ${input.batch}
          FOR UPDATE SKIP LOCKED`
        if (events.length === 0) return 0
        // FOR SHARE: an endpoint being disabled right now is waited for and then seen disabled, so no
        // new delivery slips in after its pending ones were cancelled.
        // A disabled endpoint gets its deliveries too, `cancelled`: replayable once it is re-enabled.
        const endpoints = await tx.$queryRaw<Array<{ id: string; eventTypes: string[]; enabled: boolean }>>`
          SELECT id::text AS id, event_types AS "eventTypes", enabled FROM webhook_endpoints
          FOR SHARE`
        const deliveries = events.flatMap((event) =>
          endpoints
            .filter(
              (endpoint) => endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(event.type),
            )
            .map((endpoint) => ({
              id: randomUUID(),
              eventId: event.id,
              endpointId: endpoint.id,
              state: endpoint.enabled ? ('pending' as const) : ('cancelled' as const),
              nextAttemptAt: input.firstAttemptAt,
              createdAt: input.now,
            })),
        )
        if (deliveries.length > 0) {
          await tx.webhookDelivery.createMany({ data: deliveries, skipDuplicates: true })
        }
        await tx.webhookEvent.updateMany({
          where: { id: { in: events.map((event) => event.id) } },
          data: { dispatchedAt: input.now, lockedUntil: null },
        })
        return events.length
      })
    },

    /**
     * Leases due deliveries: rows another instance holds (a transaction, or an unexpired lease) are
     * skipped, so each attempt is made by one instance only.
     */
    async leaseDue(input: { now: Date; leaseUntil: Date; batch: number }): Promise<string[]> {
      return prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT d.id FROM webhook_deliveries d
          JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.state = 'pending'
            AND d.next_attempt_at <= ${input.now}
            AND (d.locked_until IS NULL OR d.locked_until < ${input.now})
            AND e.enabled
          ORDER BY d.next_attempt_at, d.id
          LIMIT ${input.batch}
          FOR UPDATE OF d SKIP LOCKED`
        const ids = rows.map((row) => row.id)
        if (ids.length > 0) {
          await tx.webhookDelivery.updateMany({
            where: { id: { in: ids } },
            data: { lockedUntil: input.leaseUntil },
          })
        }
        return ids
      })
    },

    /** A lease for one delivery (a replay): fails while an attempt is in flight elsewhere. */
    async leaseOne(id: string, now: Date, leaseUntil: Date): Promise<boolean> {
      const { count } = await prisma.webhookDelivery.updateMany({
        where: { id, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
        data: { lockedUntil: leaseUntil },
      })
      return count === 1
    },

    async releaseLease(id: string, lease: Date): Promise<void> {
      await prisma.webhookDelivery.updateMany({
        where: { id, lockedUntil: lease },
        data: { lockedUntil: null },
      })
    },

    async attemptTargets(ids: string[], lease: Date, now: Date): Promise<AttemptTarget[]> {
      if (ids.length === 0) return []
      const rows = await prisma.webhookDelivery.findMany({
        where: { id: { in: ids }, lockedUntil: lease },
        include: {
          event: { select: { type: true, payload: true, traceparent: true } },
          endpoint: {
            include: {
              secrets: {
                where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
                orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
              },
            },
          },
          _count: { select: { attempts: { where: { manual: false } } } },
        },
      })
      return rows.map((row) => ({
        deliveryId: row.id,
        state: row.state,
        lease,
        eventId: row.eventId,
        eventType: row.event.type,
        payload: row.event.payload,
        traceparent: row.event.traceparent,
        endpointId: row.endpointId,
        url: row.endpoint.url,
        endpointEnabled: row.endpoint.enabled,
        secrets: row.endpoint.secrets,
        scheduledAttempts: row._count.attempts,
      }))
    },

    /**
     * One attempt, as one transaction: the attempt row, the delivery's next state (only while this
     * lease still holds it), and the endpoint's failure clock, which may disable it.
     */
    async recordAttempt(
      record: AttemptRecord,
    ): Promise<{ attemptNumber: number; endpointDisabled: boolean } | null> {
      return prisma.$transaction(async (tx) => {
        // The endpoint first, then the delivery: the same order as a disable (endpoint, then its
        // deliveries cancelled) and a fan-out. Two attempts of one endpoint recorded at once, one of
        // them disabling it, would otherwise deadlock, and the loser's attempt would go unrecorded.
        await tx.$queryRaw`SELECT id FROM webhook_endpoints WHERE id = ${record.endpoint.id}::uuid FOR UPDATE`
        // Also locks the row until commit, so attempt numbers never collide.
        const [numbered] = await tx.$queryRaw<Array<{ attemptCount: number }>>`
          UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, updated_at = now()
          WHERE id = ${record.deliveryId}::uuid
          RETURNING attempt_count AS "attemptCount"`
        // Deleted with its endpoint while the attempt was in flight: nothing left to record it on.
        if (!numbered) return null
        await tx.webhookAttempt.create({
          data: {
            id: randomUUID(),
            deliveryId: record.deliveryId,
            attemptNumber: numbered.attemptCount,
            startedAt: record.startedAt,
            durationMs: record.durationMs,
            statusCode: record.statusCode,
            error: record.error,
            responseExcerpt: record.responseExcerpt,
            manual: record.manual,
          },
        })
        // A success always counts (the endpoint has the event); anything else only while the delivery is
        // still as it was leased (not cancelled by a disable meanwhile).
        const succeeded = record.next?.state === 'succeeded'
        await tx.webhookDelivery.updateMany({
          where: {
            id: record.deliveryId,
            lockedUntil: record.lease,
            ...(succeeded ? {} : { state: record.expectedState }),
          },
          data: {
            lockedUntil: null,
            lastStatusCode: record.statusCode,
            lastError: record.error,
            ...(record.next ?? {}),
          },
        })
        await tx.webhookDelivery.updateMany({
          where: { id: record.deliveryId, lockedUntil: record.lease },
          data: { lockedUntil: null },
        })

        const { endpoint } = record
        if (endpoint.outcome === 'succeeded') {
          await tx.webhookEndpoint.updateMany({
            where: {
              id: endpoint.id,
              OR: [{ failingSince: { not: null } }, { lastFailureAt: { not: null } }],
            },
            data: { failingSince: null, lastFailureAt: null },
          })
          return { attemptNumber: numbered.attemptCount, endpointDisabled: false }
        }
        // The failing clock starts at the first failure since the last success, or again after a quiet
        // spell with no failure at all: one failure after days of silence does not disable.
        await tx.webhookEndpoint.updateMany({
          where: {
            id: endpoint.id,
            OR: [
              { failingSince: null },
              { lastFailureAt: null },
              { lastFailureAt: { lt: endpoint.newSpellIfLastFailureBefore } },
            ],
          },
          data: { failingSince: record.startedAt },
        })
        await tx.webhookEndpoint.update({
          where: { id: endpoint.id },
          data: { lastFailureAt: record.startedAt },
        })
        const current = await tx.webhookEndpoint.findUnique({ where: { id: endpoint.id } })
        let disabledReason: string | undefined
        if (current?.enabled && endpoint.disableNow) disabledReason = endpoint.disableNow
        else if (
          current?.enabled &&
          current.failingSince &&
          current.failingSince <= endpoint.disableIfFailingSince
        ) {
          disabledReason = endpoint.disabledReason(current.failingSince)
        }
        if (!disabledReason) return { attemptNumber: numbered.attemptCount, endpointDisabled: false }
        await tx.webhookEndpoint.update({
          where: { id: endpoint.id },
          data: { enabled: false, disabledReason, disabledAt: record.startedAt },
        })
        await cancelPending(tx, endpoint.id, 'the endpoint was disabled after sustained failure')
        return { attemptNumber: numbered.attemptCount, endpointDisabled: true }
      }, BACKGROUND_TRANSACTION)
    },

    async findDelivery(id: string): Promise<WebhookDeliveryDetailRecord | null> {
      return prisma.webhookDelivery.findUnique({
        where: { id },
        include: {
          event: { select: { type: true, payload: true, traceparent: true } },
          attempts: { orderBy: [{ attemptNumber: 'asc' }, { startedAt: 'asc' }] },
        },
      })
    },

    async listDeliveries(
      filter: DeliveryFilter,
      page: { limit: number; after?: CursorPosition },
    ): Promise<WebhookDeliveryRecord[]> {
      return prisma.webhookDelivery.findMany({
        where: {
          AND: [
            {
              endpointId: filter.endpointId,
              state: filter.state,
              eventId: filter.eventId,
              ...(filter.eventType ? { event: { type: filter.eventType } } : {}),
            },
            after(page.after),
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        include: { event: { select: { type: true } } },
      })
    },
  }
}
