import { randomUUID } from 'node:crypto'
import type {
  Prisma,
  PrismaClient,
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

const withSecrets = {
  secrets: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
} satisfies Prisma.WebhookEndpointInclude

function after(position?: CursorPosition) {
  return position
    ? {
        OR: [
          { createdAt: { lt: position.createdAt } },
          { createdAt: position.createdAt, id: { lt: position.id } },
        ],
      }
    : {}
}

/** The only code that reads or writes webhook endpoints, secrets, outbox events, deliveries and attempts. */
export function createWebhookRepository(prisma: PrismaClient) {
  /** Pending deliveries of a disabled endpoint are not attempted any more (a replay can still send them). */
  async function cancelPending(tx: Prisma.TransactionClient, endpointId: string, reason: string) {
    await tx.webhookDelivery.updateMany({
      where: { endpointId, state: 'pending' },
      data: { state: 'cancelled', lastError: reason },
    })
  }

  return {
    async createEndpoint(input: {
      id: string
      url: string
      description: string | null
      eventTypes: string[]
      secret: { id: string; sealed: string }
      now: Date
    }): Promise<WebhookEndpointRecord> {
      return prisma.webhookEndpoint.create({
        data: {
          id: input.id,
          url: input.url,
          description: input.description,
          eventTypes: input.eventTypes,
          createdAt: input.now,
          secrets: { create: { id: input.secret.id, secret: input.secret.sealed, createdAt: input.now } },
        },
        include: withSecrets,
      })
    },

    async findEndpoint(id: string): Promise<WebhookEndpointRecord | null> {
      return prisma.webhookEndpoint.findUnique({ where: { id }, include: withSecrets })
    },

    async listEndpoints(page: { limit: number; after?: CursorPosition }): Promise<WebhookEndpointRecord[]> {
      return prisma.webhookEndpoint.findMany({
        where: after(page.after),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        include: withSecrets,
      })
    },

    async updateEndpoint(
      id: string,
      change: {
        url?: string
        description?: string | null
        eventTypes?: string[]
        enable?: boolean
        disable?: { reason: string; at: Date }
      },
    ): Promise<WebhookEndpointRecord | null> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.webhookEndpoint.updateMany({
          where: { id },
          data: {
            url: change.url,
            description: change.description,
            eventTypes: change.eventTypes,
            ...(change.enable
              ? {
                  enabled: true,
                  disabledReason: null,
                  disabledAt: null,
                  failingSince: null,
                  lastFailureAt: null,
                }
              : {}),
            ...(change.disable
              ? { enabled: false, disabledReason: change.disable.reason, disabledAt: change.disable.at }
              : {}),
          },
        })
        if (count !== 1) return null
        if (change.disable) await cancelPending(tx, id, 'the endpoint was disabled')
        return tx.webhookEndpoint.findUnique({ where: { id }, include: withSecrets })
      })
    },

    async deleteEndpoint(id: string): Promise<boolean> {
      const { count } = await prisma.webhookEndpoint.deleteMany({ where: { id } })
      return count === 1
    },

    /** Secrets not sealed under the active key (key rotation): their stored form names the key. */
    async findSecretsSealedUnderOtherKey(activeKeyId: string, limit: number) {
      return prisma.webhookSecret.findMany({
        where: { NOT: { secret: { startsWith: `sealed1:${activeKeyId}:` } } },
        select: { id: true, secret: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      })
    },

    /** Stores a re-sealed secret, only if it is still the one that was read. */
    async resealSecret(id: string, from: string, to: string): Promise<boolean> {
      const { count } = await prisma.webhookSecret.updateMany({
        where: { id, secret: from },
        data: { secret: to },
      })
      return count === 1
    },

    /** The new secret signs from now on; the others keep signing until `previousExpireAt` at the latest. */
    async rotateSecret(
      endpointId: string,
      secret: { id: string; sealed: string },
      now: Date,
      previousExpireAt: Date,
    ): Promise<WebhookEndpointRecord | null> {
      return prisma.$transaction(async (tx) => {
        const endpoint = await tx.webhookEndpoint.findUnique({ where: { id: endpointId } })
        if (!endpoint) return null
        await tx.webhookSecret.deleteMany({ where: { endpointId, expiresAt: { lte: now } } })
        await tx.webhookSecret.updateMany({
          where: { endpointId, OR: [{ expiresAt: null }, { expiresAt: { gt: previousExpireAt } }] },
          data: { expiresAt: previousExpireAt },
        })
        await tx.webhookSecret.create({
          data: { id: secret.id, endpointId, secret: secret.sealed, createdAt: now },
        })
        return tx.webhookEndpoint.findUnique({ where: { id: endpointId }, include: withSecrets })
      })
    },

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
          event: { select: { type: true, payload: true } },
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
      })
    },

    async findDelivery(id: string): Promise<WebhookDeliveryDetailRecord | null> {
      return prisma.webhookDelivery.findUnique({
        where: { id },
        include: {
          event: { select: { type: true, payload: true } },
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

export type WebhookRepository = ReturnType<typeof createWebhookRepository>
