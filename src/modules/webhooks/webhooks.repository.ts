import type { PrismaClient } from '../../generated/prisma/client.js'
import { webhookDeliveries } from './webhooks.deliveries.js'
import { webhookEndpoints } from './webhooks.endpoints.js'
import { webhookEventFeed } from './webhooks.event-feed.js'

export type {
  AttemptRecord,
  AttemptTarget,
  DeliveryFilter,
  WebhookDeliveryDetailRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from './webhooks.records.js'

/** The only code that reads or writes webhook endpoints, secrets, outbox events, deliveries and attempts. */
export function createWebhookRepository(prisma: PrismaClient) {
  return { ...webhookEndpoints(prisma), ...webhookDeliveries(prisma), ...webhookEventFeed(prisma) }
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>
