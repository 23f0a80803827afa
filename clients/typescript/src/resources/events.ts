import { execute, type RequestOptions } from '../call.js'
import { Paginator } from '../pagination.js'
import type { GatewayEvent, ListQuery } from '../types.js'
import type { ResourceContext } from './context.js'

export class Events {
  constructor(private readonly context: ResourceContext) {}

  /**
   * `GET /v1/events` across pages: the events the webhooks carried. To catch up after an outage,
   * `{order: 'oldest_first', created_after: lastHandledAt}` and handle each event once by its `id`.
   */
  list(query: ListQuery<'/v1/events'> = {}, options?: RequestOptions): Paginator<GatewayEvent> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/events', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }
}
