import { execute, type RequestOptions } from '../call.js'
import { Paginator } from '../pagination.js'
import type {
  CreateWebhookEndpointRequest,
  ListQuery,
  RotateWebhookSecretRequest,
  StoredPrivyCallback,
  UpdateWebhookEndpointRequest,
  WebhookDelivery,
  WebhookEndpoint,
} from '../types.js'
import type { ResourceContext } from './context.js'

/**
 * Operator routes (`X-API-Key`; a user token gets 404). None honours Idempotency-Key, so only their
 * reads are retried by the client.
 */

export class WebhookEndpoints {
  constructor(private readonly context: ResourceContext) {}

  /** The answer carries the signing `secret`, this once. */
  create(body: CreateWebhookEndpointRequest, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.POST('/v1/webhook-endpoints', { body, ...init }),
      options,
    )
  }

  list(query: ListQuery<'/v1/webhook-endpoints'> = {}, options?: RequestOptions): Paginator<WebhookEndpoint> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/webhook-endpoints', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  get(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      (init) => http.GET('/v1/webhook-endpoints/{id}', { params: { path: { id } }, ...init }),
      options,
    )
  }

  update(id: string, body: UpdateWebhookEndpointRequest, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id } }, body, ...init }),
      options,
    )
  }

  delete(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } }, ...init }),
      options,
    )
  }

  /** A new secret (answered once); the previous one keeps signing until it expires. */
  rotateSecret(id: string, body: RotateWebhookSecretRequest = {}, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) =>
        http.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, body, ...init }),
      options,
    )
  }
}

export class WebhookDeliveries {
  constructor(private readonly context: ResourceContext) {}

  list(
    query: ListQuery<'/v1/webhook-deliveries'> = {},
    options?: RequestOptions,
  ): Paginator<WebhookDelivery> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/webhook-deliveries', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  /** The delivery with its attempts. */
  get(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      (init) => http.GET('/v1/webhook-deliveries/{id}', { params: { path: { id } }, ...init }),
      options,
    )
  }

  /** Sends it again now (same `webhook-id` and body, fresh timestamp and signature). */
  replay(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.POST('/v1/webhook-deliveries/{id}/replay', { params: { path: { id } }, ...init }),
      options,
    )
  }
}

export class PrivyCallbacks {
  constructor(private readonly context: ResourceContext) {}

  /** Stored callbacks from Privy (metadata only, never a body). */
  list(
    query: ListQuery<'/v1/privy/callbacks'> = {},
    options?: RequestOptions,
  ): Paginator<StoredPrivyCallback> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/privy/callbacks', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  reapply(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.POST('/v1/privy/callbacks/{id}/reapply', { params: { path: { id } }, ...init }),
      options,
    )
  }
}
