import type { RawSql } from '../../db/raw-sql.js'
import type { PrismaClient } from '../../generated/prisma/client.js'

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

/**
 * The statements of every keyed request, named (prepared once per connection) and past Prisma's
 * query pipeline, which cost a keyed create more CPU than the statements themselves.
 */
const INSERT = {
  name: 'idempotency_insert',
  text: `INSERT INTO idempotency_keys (owner_id, key, operation, fingerprint, locked_until, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
}
const FIND = {
  name: 'idempotency_find',
  text: `SELECT operation, fingerprint, state, resource_id AS "resourceId", response_status AS "responseStatus",
    response_content_type AS "responseContentType", response_body AS "responseBody",
    response_headers AS "responseHeaders", expires_at AS "expiresAt"
    FROM idempotency_keys WHERE owner_id = $1 AND key = $2`,
}
const KEEP = `UPDATE idempotency_keys
  SET state = 'completed', response_status = $3, response_content_type = $4, response_body = $5,
    response_headers = $6::jsonb, locked_until = NULL`
const COMPLETE = { name: 'idempotency_complete', text: `${KEEP} WHERE owner_id = $1 AND key = $2` }
const COMPLETE_UNFLUSHED = {
  name: 'idempotency_complete_unflushed',
  text: `${KEEP} FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed
    WHERE owner_id = $1 AND key = $2`,
}
const LEAVE_UNKNOWN = {
  name: 'idempotency_leave_unknown',
  text: `UPDATE idempotency_keys SET state = 'unknown', locked_until = NULL WHERE owner_id = $1 AND key = $2`,
}
const RELEASE = {
  name: 'idempotency_release',
  text: `DELETE FROM idempotency_keys WHERE owner_id = $1 AND key = $2 AND state <> 'completed'`,
}
const BIND = {
  name: 'idempotency_bind',
  text: 'UPDATE idempotency_keys SET resource_id = $3 WHERE owner_id = $1 AND key = $2',
}

interface FoundKey {
  operation: string
  fingerprint: string
  state: 'in_progress' | 'completed' | 'unknown'
  resourceId: string | null
  responseStatus: number | null
  responseContentType: string | null
  responseBody: string | null
  responseHeaders: Record<string, string> | null
  expiresAt: Date
}

/** The only code that touches idempotency keys. Leases make one request at a time work on a key. */
export function createIdempotencyRepository(prisma: PrismaClient, raw: RawSql) {
  const updated = async (statement: { name: string; text: string }, values: unknown[]) => {
    if ((await raw.execute({ ...statement, values })) !== 1) throw new Error('idempotency key not found')
  }

  async function claim(request: ClaimRequest): Promise<ClaimResult> {
    const { ownerId, key, now } = request
    const lockedUntil = new Date(now.getTime() + request.leaseMs)
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0 || !request.held) {
        const expiresAt = new Date(now.getTime() + request.ttlMs)
        const values = [ownerId, key, request.operation, request.fingerprint, lockedUntil, now, expiresAt]
        if ((await raw.execute({ ...INSERT, values })) === 1) return { kind: 'new' }
      }
      const [existing] = await raw.rows<FoundKey>({ ...FIND, values: [ownerId, key] })
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
            headers: existing.responseHeaders ?? {},
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
      await updated(BIND, [ownerId, key, resourceId])
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
      const { status, contentType, body, headers } = response
      const values = [ownerId, key, status, contentType, body, JSON.stringify(headers)]
      await updated(bound ? COMPLETE_UNFLUSHED : COMPLETE, values)
    },

    /** The outcome is not known: the next request with the key settles it. */
    async leaveUnknown(ownerId: string, key: string): Promise<void> {
      await updated(LEAVE_UNKNOWN, [ownerId, key])
    },

    /** Nothing happened under the key (refused before any side effect): it is free for a retry. */
    async release(ownerId: string, key: string): Promise<void> {
      await raw.execute({ ...RELEASE, values: [ownerId, key] })
    },

    async purgeExpired(now: Date): Promise<number> {
      const { count } = await prisma.idempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } })
      return count
    },
  }
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>
