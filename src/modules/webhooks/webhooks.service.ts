import { randomUUID } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import type { WebhookDispatcher } from './webhooks.dispatcher.js'
import type { WebhookRepository } from './webhooks.repository.js'
import type {
  CreateWebhookEndpointBody,
  ListWebhookDeliveriesQuery,
  UpdateWebhookEndpointBody,
  WebhookDeliveryDetailView,
  WebhookEndpointView,
  WebhookEndpointWithSecretView,
} from './webhooks.schemas.js'
import type { SecretBox } from './webhooks.secret-box.js'
import { generateWebhookSecret } from './webhooks.signing.js'
import { refusedUrl, type UrlPolicy } from './webhooks.url-policy.js'
import { toWebhookDeliveryDetailView, toWebhookDeliveryView, toWebhookEndpointView } from './webhooks.view.js'

export interface WebhookServiceDeps {
  repository: WebhookRepository
  dispatcher: WebhookDispatcher
  secrets: SecretBox
  urlPolicy: UrlPolicy
  now: () => Date
}

/** Operators' management of endpoints and deliveries; the callers are checked by the routes. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { repository, now } = deps

  function checkUrl(url: string): void {
    const refused = refusedUrl(url, deps.urlPolicy)
    if (refused) {
      throw new AppError('WEBHOOK_URL_NOT_ALLOWED', {
        detail: `The webhook URL ${refused}`,
        errors: [{ path: 'url', message: refused }],
      })
    }
  }

  function newSecret(): { id: string; value: string; sealed: string } {
    const id = randomUUID()
    const value = generateWebhookSecret()
    return { id, value, sealed: deps.secrets.seal(id, value) }
  }

  async function findEndpoint(id: string) {
    const endpoint = await repository.findEndpoint(id)
    if (!endpoint) throw notFound('Webhook endpoint')
    return endpoint
  }

  async function createEndpoint(body: CreateWebhookEndpointBody): Promise<WebhookEndpointWithSecretView> {
    checkUrl(body.url)
    const secret = newSecret()
    const at = now()
    const endpoint = await repository.createEndpoint({
      id: randomUUID(),
      url: body.url,
      description: body.description || null,
      eventTypes: [...new Set(body.event_types)],
      secret: { id: secret.id, sealed: secret.sealed },
      now: at,
    })
    return { ...toWebhookEndpointView(endpoint, at), secret: secret.value }
  }

  async function listEndpoints(query: { limit: number; cursor?: string }) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const rows = await repository.listEndpoints({ limit: query.limit + 1, after })
    const { page, nextCursor } = cursorPage(rows, query.limit)
    const at = now()
    return { data: page.map((row) => toWebhookEndpointView(row, at)), next_cursor: nextCursor }
  }

  async function getEndpoint(id: string): Promise<WebhookEndpointView> {
    return toWebhookEndpointView(await findEndpoint(id), now())
  }

  async function updateEndpoint(id: string, body: UpdateWebhookEndpointBody): Promise<WebhookEndpointView> {
    if (body.url !== undefined) checkUrl(body.url)
    const at = now()
    const updated = await repository.updateEndpoint(id, {
      url: body.url,
      description: body.description === undefined ? undefined : body.description || null,
      eventTypes: body.event_types && [...new Set(body.event_types)],
      enable: body.enabled === true,
      disable: body.enabled === false ? { reason: 'disabled by an operator', at } : undefined,
    })
    if (!updated) throw notFound('Webhook endpoint')
    return toWebhookEndpointView(updated, at)
  }

  async function deleteEndpoint(id: string): Promise<void> {
    if (!(await repository.deleteEndpoint(id))) throw notFound('Webhook endpoint')
  }

  async function rotateSecret(
    id: string,
    body: { previous_secret_expires_in_seconds: number },
  ): Promise<WebhookEndpointWithSecretView> {
    const secret = newSecret()
    const at = now()
    const previousExpireAt = new Date(at.getTime() + body.previous_secret_expires_in_seconds * 1000)
    const endpoint = await repository.rotateSecret(
      id,
      { id: secret.id, sealed: secret.sealed },
      at,
      previousExpireAt,
    )
    if (!endpoint) throw notFound('Webhook endpoint')
    return { ...toWebhookEndpointView(endpoint, at), secret: secret.value }
  }

  async function listDeliveries(query: ListWebhookDeliveriesQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const rows = await repository.listDeliveries(
      {
        endpointId: query.endpoint_id,
        state: query.state,
        eventType: query.event_type,
        eventId: query.event_id,
      },
      { limit: query.limit + 1, after },
    )
    const { page, nextCursor } = cursorPage(rows, query.limit)
    return { data: page.map(toWebhookDeliveryView), next_cursor: nextCursor }
  }

  async function getDelivery(id: string): Promise<WebhookDeliveryDetailView> {
    const delivery = await repository.findDelivery(id)
    if (!delivery) throw notFound('Webhook delivery')
    return toWebhookDeliveryDetailView(delivery)
  }

  /**
   * Sends the delivery again now: the same webhook-id and body, a fresh timestamp and signature. Any
   * state may be replayed (a success again, a failed or cancelled one after the endpoint was fixed);
   * a success settles it, a failure is recorded and leaves its schedule as it was.
   */
  async function replay(id: string): Promise<WebhookDeliveryDetailView> {
    const delivery = await repository.findDelivery(id)
    if (!delivery) throw notFound('Webhook delivery')
    const endpointDisabled = () =>
      new AppError('WEBHOOK_ENDPOINT_DISABLED', {
        detail: 'The endpoint of this delivery is disabled: re-enable it (PATCH enabled: true) first',
        extensions: { endpoint_id: delivery.endpointId },
      })
    const endpoint = await findEndpoint(delivery.endpointId)
    if (!endpoint.enabled) throw endpointDisabled()
    const target = await deps.dispatcher.leaseForReplay(id)
    if (!target) {
      throw new AppError('WEBHOOK_DELIVERY_IN_FLIGHT', {
        detail: 'An attempt of this delivery is in flight; replay it once that attempt is recorded',
        retryAfterSeconds: 5,
      })
    }
    if (!target.endpointEnabled) {
      await repository.releaseLease(id, target.lease)
      throw endpointDisabled()
    }
    await deps.dispatcher.attempt(target, { manual: true })
    return getDelivery(id)
  }

  return {
    createEndpoint,
    listEndpoints,
    getEndpoint,
    updateEndpoint,
    deleteEndpoint,
    rotateSecret,
    listDeliveries,
    getDelivery,
    replay,
  }
}

export type WebhookService = ReturnType<typeof createWebhookService>
