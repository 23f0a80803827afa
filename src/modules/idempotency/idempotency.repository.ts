import type { IdempotencyKey, Prisma, PrismaClient } from '../../generated/prisma/client.js'

export type IdempotencyRecord = IdempotencyKey

export interface IdempotencyKeyRef {
  ownerId: string
  key: string
  /**
   * Set when the key is not in the table yet: the operation's first transaction inserts it
   * (`bindIdempotencyKey`), so the claim costs no commit of its own.
   */
  untaken?: UntakenKey
}

/** A key claimed in the transaction of the operation's first write: its row, and whether it is in. */
export interface UntakenKey {
  row: Omit<ClaimRequest, 'now' | 'leaseMs' | 'ttlMs'> & {
    lockedUntil: Date
    createdAt: Date
    expiresAt: Date
  }
  /** Set once the insert ran; the transaction that ran it may still roll back (then nothing was done). */
  taken: boolean
}

/** Another request holds the key: the transaction that tried to take it rolls back, untouched. */
export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('the Idempotency-Key is held by another request')
    this.name = 'IdempotencyKeyTaken'
  }
}

/**
 * Takes a key not yet claimed (`untaken`), bound at once to the row about to be created: one
 * statement, in a transaction that commits anyway. Call it before the transaction's other writes: a
 * concurrent request with the key waits on the insert, finds the key taken, and throws
 * IdempotencyKeyTaken (rolling back) before it takes anything else, a natural key above all. A key
 * claimed before the operation ran is left as it is, for `bindIdempotencyKey`.
 */
export async function takeIdempotencyKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): Promise<void> {
  const untaken = ref?.untaken
  if (!untaken || untaken.taken) return
  const { count } = await tx.idempotencyKey.createMany({
    data: [{ ...untaken.row, resourceId }],
    skipDuplicates: true,
  })
  if (count !== 1) throw new IdempotencyKeyTaken()
  untaken.taken = true
}

/**
 * Binds a key to the row its operation creates, inside the transaction that creates the row: a crash
 * between the two cannot leave a key that a retry would run again instead of settling. A key taken
 * in this transaction (`takeIdempotencyKey`) is bound already.
 */
export async function bindIdempotencyKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): Promise<void> {
  if (!ref || ref.untaken?.taken) return
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
  /** The key was just found taken (IdempotencyKeyTaken): read it first, without trying to insert it. */
  held?: boolean
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
      if (attempt > 0 || !request.held) {
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
      }
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

    /**
     * Keeps the answer. `bound`: the key names the row its operation wrote, synchronously committed
     * before the answer existed. Then the write's commit does not wait for its WAL flush
     * (synchronous_commit off for this one statement, ~1 ms of fsync less): losing it in a database
     * crash leaves the key as it was, leased and bound, and the retry after the lease settles it
     * through that row, as after a crash of the gateway. Nothing runs twice. An unbound key's answer
     * is the only trace of what happened: it waits for the flush.
     */
    async complete(ownerId: string, key: string, response: StoredResponse, bound = false): Promise<void> {
      if (bound) {
        const headers = JSON.stringify(response.headers)
        const count = await prisma.$executeRaw`
          UPDATE idempotency_keys
          SET state = 'completed', response_status = ${response.status},
              response_content_type = ${response.contentType}, response_body = ${response.body},
              response_headers = ${headers}::jsonb, locked_until = NULL
          FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed
          WHERE owner_id = ${ownerId} AND key = ${key}`
        if (count !== 1) throw new Error('idempotency key not found')
        return
      }
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
