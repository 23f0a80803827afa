import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import { ownerIdFor, type Principal } from '../../lib/principal.js'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import type { WebhookRepository } from './webhooks.repository.js'
import {
  EventIdSchema,
  EventListSchema,
  type ListEventsQuery,
  ListEventsQuerySchema,
} from './webhooks.schemas.js'

const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

/** The events feed: what the webhooks carried, read back to catch up after an outage. */
export function createEventFeed(repository: Pick<WebhookRepository, 'listEvents'>) {
  return {
    async list(principal: Principal, query: ListEventsQuery) {
      const after = query.cursor ? decodeCursor(query.cursor, EventIdSchema) : undefined
      const rows = await repository.listEvents({
        ...(principal.kind === 'user' ? { reader: ownerIdFor(principal) } : {}),
        ...(query.type ? { type: query.type } : {}),
        ...(query.created_after ? { createdAfter: new Date(query.created_after) } : {}),
        oldestFirst: query.order === 'oldest_first',
        limit: query.limit + 1,
        after,
      })
      const { page, nextCursor } = cursorPage(rows, query.limit)
      return {
        data: page.map((row) => {
          const payload = (row.payload ?? {}) as { data?: Record<string, unknown> }
          return {
            id: row.id,
            type: row.type as ListEventsQuery['type'] & string,
            created_at: row.createdAt.toISOString(),
            data: payload.data ?? {},
          }
        }),
        next_cursor: nextCursor,
      }
    },
  }
}

export type EventFeed = ReturnType<typeof createEventFeed>

export const eventFeedRoutes: FastifyPluginAsyncZod<{ feed: EventFeed }> = async (app, { feed }) => {
  app.addHook('onRequest', app.authenticate)

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['Events'],
        security,
        operationId: 'events.list',
        summary: 'List events (catch up on webhooks)',
        description:
          'The same events the webhooks carry (`id` is their `webhook-id`), newest first or ' +
          '`order=oldest_first`, kept at least 30 days (no job deletes them). Operators see every ' +
          'event; a user sees the events of their own registrations and documents and of documents they sign. To catch up after an outage: `order=oldest_first&created_after=<the last event you handled>`, then follow `next_cursor`.',
        querystring: ListEventsQuerySchema,
        response: { 200: EventListSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => feed.list(principalOf(request), request.query),
  )
}
