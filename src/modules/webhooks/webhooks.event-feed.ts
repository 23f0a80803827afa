import type { Prisma, PrismaClient } from '../../generated/prisma/client.js'
import type { CursorPosition } from '../../lib/cursor.js'
import type { WebhookEventType } from './webhooks.outbox.js'

export interface EventFeedPage {
  /** A user's owner id: only events whose audience names it. Operators: every event. */
  reader?: string
  type?: WebhookEventType
  createdAfter?: Date
  oldestFirst: boolean
  limit: number
  after?: CursorPosition
}

export interface EventFeedRecord {
  id: string
  type: string
  createdAt: Date
  payload: Prisma.JsonValue
}

/**
 * The outbox read back as a feed (GET /v1/events): the rows the dispatcher fans out, kept after
 * dispatch (no job deletes them). Keyset over (created_at, id) either way; `audience @> {reader}` is
 * answered by the GIN index on audience.
 */
export function webhookEventFeed(prisma: PrismaClient) {
  return {
    async listEvents(page: EventFeedPage): Promise<EventFeedRecord[]> {
      const { after, oldestFirst } = page
      const direction = oldestFirst ? 'asc' : 'desc'
      const beyond = oldestFirst ? 'gt' : 'lt'
      return prisma.webhookEvent.findMany({
        where: {
          AND: [
            page.reader ? { audience: { has: page.reader } } : {},
            page.type ? { type: page.type } : {},
            page.createdAfter ? { createdAt: { gte: page.createdAfter } } : {},
            after
              ? {
                  OR: [
                    { createdAt: { [beyond]: after.createdAt } },
                    { createdAt: after.createdAt, id: { [beyond]: after.id } },
                  ],
                }
              : {},
          ],
        },
        orderBy: [{ createdAt: direction }, { id: direction }],
        take: page.limit,
        select: { id: true, type: true, createdAt: true, payload: true },
      })
    },
  }
}
