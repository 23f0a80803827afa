import type { PrismaClient } from '../../generated/prisma/client.js'
import type { CursorPosition } from '../../lib/cursor.js'
import { after, cancelPending, type WebhookEndpointRecord, withSecrets } from './webhooks.records.js'

/** Endpoints and their signing secrets: what operators configure. */
export function webhookEndpoints(prisma: PrismaClient) {
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
  }
}
