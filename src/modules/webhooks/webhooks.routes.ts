import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { operatorsOnly } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import { OPERATOR_TAGS } from '../../plugins/swagger.js'
import {
  CreateWebhookEndpointBodySchema,
  ListWebhookDeliveriesQuerySchema,
  ListWebhookEndpointsQuerySchema,
  RotateWebhookSecretBodySchema,
  UpdateWebhookEndpointBodySchema,
  WebhookDeliveryDetailSchema,
  WebhookDeliveryIdParamsSchema,
  WebhookDeliveryListSchema,
  WebhookEndpointIdParamsSchema,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
} from './webhooks.schemas.js'
import type { WebhookService } from './webhooks.service.js'

const endpointTags = [OPERATOR_TAGS.webhookEndpoints]
const deliveryTags = [OPERATOR_TAGS.webhookDeliveries]
const security: Array<Record<string, string[]>> = [{ apiKey: [] }]
/** Endpoint settings are small; nothing here needs the app's 1 MiB. */
const bodyLimit = 16 * 1024

export const webhookRoutes: FastifyPluginAsyncZod<{ service: WebhookService }> = async (app, { service }) => {
  // Before parsing and validation: neither a stranger nor a user learns anything about the bodies.
  app.addHook('onRequest', app.authenticate)
  // Webhooks are the merchant's back office: a user token learns nothing, not even that they exist.
  app.addHook('onRequest', operatorsOnly)
  // JSON only: a text/plain body is refused as such (415), not as a string that fails the schema.
  app.removeContentTypeParser('text/plain')

  app.post(
    '/v1/webhook-endpoints',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.createEndpoint',
        summary: 'Register a webhook endpoint',
        description:
          'Operators only. Every event (or those in `event_types`) is POSTed to `url`, signed per Standard ' +
          'Webhooks. The answer carries the signing `secret`, shown this once.',
        body: CreateWebhookEndpointBodySchema,
        response: { 201: WebhookEndpointWithSecretSchema, ...problemResponses(400, 401, 404, 413, 415, 422) },
      },
      bodyLimit,
    },
    async (request, reply) => {
      const endpoint = await service.createEndpoint(request.body)
      return reply.code(201).header('location', `/v1/webhook-endpoints/${endpoint.id}`).send(endpoint)
    },
  )

  app.get(
    '/v1/webhook-endpoints',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.listEndpoints',
        summary: 'List webhook endpoints',
        description: 'Operators only. Newest first.',
        querystring: ListWebhookEndpointsQuerySchema,
        response: { 200: WebhookEndpointListSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.listEndpoints(request.query),
  )

  app.get(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.getEndpoint',
        summary: 'Get a webhook endpoint',
        params: WebhookEndpointIdParamsSchema,
        response: { 200: WebhookEndpointSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.getEndpoint(request.params.id),
  )

  app.patch(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.updateEndpoint',
        summary: 'Change a webhook endpoint',
        description:
          'Change its url, description or event types; `enabled: true` re-enables an endpoint disabled ' +
          'after sustained failure (its cancelled deliveries can then be replayed), `enabled: false` ' +
          'disables it and cancels its pending deliveries.',
        params: WebhookEndpointIdParamsSchema,
        body: UpdateWebhookEndpointBodySchema,
        response: { 200: WebhookEndpointSchema, ...problemResponses(400, 401, 404, 413, 415, 422) },
      },
      bodyLimit,
    },
    async (request) => service.updateEndpoint(request.params.id, request.body),
  )

  app.delete(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.deleteEndpoint',
        summary: 'Delete a webhook endpoint',
        description: 'With its secrets, deliveries and their attempts.',
        params: WebhookEndpointIdParamsSchema,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.deleteEndpoint(request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/webhook-endpoints/:id/rotate-secret',
    {
      schema: {
        tags: endpointTags,
        security,
        operationId: 'webhooks.rotateSecret',
        summary: "Rotate an endpoint's signing secret",
        description:
          'A new secret signs from now on and is shown in this answer only. Until ' +
          '`previous_secret_expires_in_seconds` (default 86400) has passed the previous secret signs too: ' +
          '`webhook-signature` then carries one `v1,…` entry per secret, so receivers can switch at leisure.',
        params: WebhookEndpointIdParamsSchema,
        body: RotateWebhookSecretBodySchema,
        response: { 200: WebhookEndpointWithSecretSchema, ...problemResponses(400, 401, 404, 413, 415) },
      },
      bodyLimit,
      // The body is optional: none means every default.
      preValidation: async (request) => {
        request.body ??= { previous_secret_expires_in_seconds: 86_400 }
      },
    },
    async (request) => service.rotateSecret(request.params.id, request.body),
  )

  app.get(
    '/v1/webhook-deliveries',
    {
      schema: {
        tags: deliveryTags,
        security,
        operationId: 'webhooks.listDeliveries',
        summary: 'List webhook deliveries',
        description: 'Operators only. Newest first; filter by endpoint, state, event type or event id.',
        querystring: ListWebhookDeliveriesQuerySchema,
        response: { 200: WebhookDeliveryListSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.listDeliveries(request.query),
  )

  app.get(
    '/v1/webhook-deliveries/:id',
    {
      schema: {
        tags: deliveryTags,
        security,
        operationId: 'webhooks.getDelivery',
        summary: 'Get a webhook delivery with its attempts',
        params: WebhookDeliveryIdParamsSchema,
        response: { 200: WebhookDeliveryDetailSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.getDelivery(request.params.id),
  )

  app.post(
    '/v1/webhook-deliveries/:id/replay',
    {
      schema: {
        tags: deliveryTags,
        security,
        operationId: 'webhooks.replay',
        summary: 'Replay a webhook delivery now',
        description:
          'Sends the event again at once: the same `webhook-id` and body, a fresh timestamp and signature. ' +
          'Recorded as a manual attempt; a success settles the delivery. 409 `WEBHOOK_ENDPOINT_DISABLED` ' +
          'while its endpoint is disabled, `WEBHOOK_DELIVERY_IN_FLIGHT` while another attempt is in flight.',
        params: WebhookDeliveryIdParamsSchema,
        response: { 200: WebhookDeliveryDetailSchema, ...problemResponses(400, 401, 404, 409) },
      },
      bodyLimit,
    },
    async (request) => service.replay(request.params.id),
  )
}
