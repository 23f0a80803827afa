import type { IdempotencyKey, Prisma, PrismaClient } from '../../generated/prisma/client.js'

export type IdempotencyRecord = IdempotencyKey

export interface IdempotencyKeyRef {
  ownerId: string
  key: string
}

/**
 * Binds a key to the row its operation creates, inside the transaction that creates the row: a crash
 * between the two cannot leave a key that a retry would run again instead of settling.
 */
export async function bindIdempotencyKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): Promise<void> {
  if (!ref) return
  await tx.idempotencyKey.updateMany({ where: { ownerId: ref.ownerId, key: ref.key }, data: { resourceId } })
}

export interface ClaimRequest {
  ownerId: string
  key: string
  operation: string
  fingerprint: string
  now: Date
  leaseMs: number
  ttlMs: number
}

export type ClaimResult =
  | { kind: 'new' }
  | { kind: 'mismatch'; operation: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'busy' }
  /** The key's operation was left unknown (or its worker died): this request now settles it. */
  | { kind: 'resume'; resourceId: string | null }

export interface StoredResponse {
  status: number
  contentType: string
  body: string
  /** Headers a replay repeats besides the content type (Location). */
  headers: Record<string, string>
}

/** The only code that touches idempotency keys. Leases make one request at a time work on a key. */
export function createIdempotencyRepository(prisma: PrismaClient) {
  const id = (ownerId: string, key: string) => ({ ownerId_key: { ownerId, key } })

  async function claim(request: ClaimRequest): Promise<ClaimResult> {
    const { ownerId, key, now } = request
    const lockedUntil = new Date(now.getTime() + request.leaseMs)
    for (let attempt = 0; attempt < 2; attempt++) {
      const { count } = await prisma.idempotencyKey.createMany({
        data: [
          {
            ownerId,
            key,
            operation: request.operation,
            fingerprint: request.fingerprint,
            lockedUntil,
            createdAt: now,
            expiresAt: new Date(now.getTime() + request.ttlMs),
          },
        ],
        skipDuplicates: true,
      })
      if (count === 1) return { kind: 'new' }
      const existing = await prisma.idempotencyKey.findUnique({ where: id(ownerId, key) })
      if (!existing) continue
      if (existing.expiresAt <= now) {
        // Past its retention: the key is free again, as if it had been purged.
        await prisma.idempotencyKey.deleteMany({ where: { ownerId, key, expiresAt: { lte: now } } })
        continue
      }
      if (existing.operation !== request.operation || existing.fingerprint !== request.fingerprint) {
        return { kind: 'mismatch', operation: existing.operation }
      }
      if (existing.state === 'completed' && existing.responseStatus !== null) {
        return {
          kind: 'replay',
          response: {
            status: existing.responseStatus,
            contentType: existing.responseContentType ?? 'application/json',
            body: existing.responseBody ?? '',
            headers: (existing.responseHeaders ?? {}) as Record<string, string>,
          },
        }
      }
      const taken = await prisma.idempotencyKey.updateMany({
        where: {
          ownerId,
          key,
          state: { not: 'completed' },
          OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
        },
        data: { lockedUntil },
      })
      return taken.count === 1 ? { kind: 'resume', resourceId: existing.resourceId } : { kind: 'busy' }
    }
    return { kind: 'busy' }
  }

  return {
    claim,

    async bind(ownerId: string, key: string, resourceId: string): Promise<void> {
      await prisma.idempotencyKey.update({ where: id(ownerId, key), data: { resourceId } })
    },

    async complete(ownerId: string, key: string, response: StoredResponse): Promise<void> {
      await prisma.idempotencyKey.update({
        where: id(ownerId, key),
        data: {
          state: 'completed',
          responseStatus: response.status,
          responseContentType: response.contentType,
          responseBody: response.body,
          responseHeaders: response.headers,
          lockedUntil: null,
        },
      })
    },

    /** The outcome is not known: the next request with the key settles it. */
    async leaveUnknown(ownerId: string, key: string): Promise<void> {
      await prisma.idempotencyKey.update({
        where: id(ownerId, key),
        data: { state: 'unknown', lockedUntil: null },
      })
    },

    /** Nothing happened under the key (refused before any side effect): it is free for a retry. */
    async release(ownerId: string, key: string): Promise<void> {
      await prisma.idempotencyKey.deleteMany({ where: { ownerId, key, state: { not: 'completed' } } })
    },

    async purgeExpired(now: Date): Promise<number> {
      const { count } = await prisma.idempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } })
      return count
    },
  }
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>
