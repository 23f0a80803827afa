import type { PrismaClient } from '../../generated/prisma/client.js'
import { webhookDeliveries } from './webhooks.deliveries.js'
import { webhookEndpoints } from './webhooks.endpoints.js'

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
  return { ...webhookEndpoints(prisma), ...webhookDeliveries(prisma) }
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>
