import type { InsertFirst } from '../../db/natural-key.js'
import type { RawSql } from '../../db/raw-sql.js'
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js'

export interface IdempotencyKeyRef {
  ownerId: string
  key: string
  /** Not in the table yet: the operation's first transaction takes it, with no commit of its own. */
  untaken?: UntakenKey
}

/** A key claimed in the transaction of the operation's first write: its row, and whether it is in. */
export interface UntakenKey {
  row: Omit<ClaimRequest, 'now' | 'leaseMs' | 'ttlMs'> & {
    lockedUntil: Date
    createdAt: Date
    expiresAt: Date
  }
  /** Set once the insert ran, unset again when its transaction fails (`keyTakingTransaction`). */
  taken: boolean
  /** The row the insert bound the key to (a later transaction of the operation may bind another). */
  boundTo?: string
}

/** Another request holds the key: the transaction that tried to take it rolls back, untouched. */
export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('the Idempotency-Key is held by another request')
    this.name = 'IdempotencyKeyTaken'
  }
}

/**
 * The take of a key not yet claimed (`untaken`), bound at once to the row about to be created, as the
 * insert that goes first in the statement taking the row's natural key (`claimNaturalKey`): no round
 * trip of its own. A concurrent request with the key waits on this insert, finds the key taken, and
 * throws IdempotencyKeyTaken (rolling back) before it takes anything else, the natural key above all.
 * Null for a key claimed before the operation ran (left to `bindIdempotencyKey`), or without a key.
 */
export function idempotencyKeyTake(
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): InsertFirst | null {
  const untaken = ref?.untaken
  if (!untaken || untaken.taken) return null
  const { row } = untaken
  return {
    sql: Prisma.sql`INSERT INTO idempotency_keys
        (owner_id, key, operation, fingerprint, resource_id, locked_until, created_at, expires_at)
      VALUES (${row.ownerId}, ${row.key}, ${row.operation}, ${row.fingerprint}, ${resourceId}::uuid,
        ${row.lockedUntil}::timestamptz, ${row.createdAt}::timestamptz, ${row.expiresAt}::timestamptz)
      ON CONFLICT DO NOTHING
      RETURNING 1`,
    took: (count) => {
      if (count !== 1) throw new IdempotencyKeyTaken()
      untaken.taken = true
      untaken.boundTo = resourceId
    },
  }
}

/**
 * The transaction that may take the key (`idempotencyKeyTake`, `takeIdempotencyKey`) or unbind it. Once
 * it failed, `untaken` is as it was before, like the rolled-back row: the request is answered as one that
 * never took the key (claimed, or from a concurrent request that waited on the undone insert and took it:
 * a settle by owner and key would hit that request's row). A COMMIT lost with its connection is safe
 * too: the claim finds the request's own row leased (409), settled after the lease through its row.
 */
export async function keyTakingTransaction<T>(
  prisma: PrismaClient,
  ref: IdempotencyKeyRef | undefined,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  const untaken = ref?.untaken
  const before = untaken && { taken: untaken.taken, boundTo: untaken.boundTo }
  try {
    return await prisma.$transaction(work)
  } catch (error) {
    if (untaken) Object.assign(untaken, before)
    throw error
  }
}

/**
 * The take alone, as the first statement of the operation's first transaction, for an operation with
 * no natural key to take it with (an OTP send): one statement in a transaction that commits anyway,
 * instead of a claim with its own commit and a bind in that transaction.
 */
export async function takeIdempotencyKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): Promise<void> {
  const take = idempotencyKeyTake(ref, resourceId)
  if (take) take.took((await tx.$queryRaw<unknown[]>(take.sql)).length)
}

/**
 * Binds a key to the row its operation creates, inside the transaction that creates the row: a crash
 * between the two cannot leave a key that a retry would run again instead of settling. A key taken
 * bound to this row is bound already; one taken by an earlier transaction of the operation (an OTP
 * send whose first intent found a void OTP, then wrote another) is bound again here.
 */
export async function bindIdempotencyKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
  resourceId: string,
): Promise<void> {
  if (!ref || ref.untaken?.boundTo === resourceId) return
  await tx.idempotencyKey.updateMany({ where: { ownerId: ref.ownerId, key: ref.key }, data: { resourceId } })
}

/**
 * The take bound the key to the row about to be created, but the transaction found another answer and
 * creates none (a live OTP, a person's earlier registration): the key is unbound again before that
 * transaction commits. A key left naming an id no row has would be resumed as if its operation had
 * acted (a refusal then left unknown instead of freeing the key, its answer kept unflushed).
 */
export async function unbindTakenKey(
  tx: Prisma.TransactionClient,
  ref: IdempotencyKeyRef | undefined,
): Promise<void> {
  const untaken = ref?.untaken
  if (!ref || untaken?.boundTo === undefined) return
  await tx.idempotencyKey.updateMany({
    where: { ownerId: ref.ownerId, key: ref.key, resourceId: untaken.boundTo },
    data: { resourceId: null },
  })
  untaken.boundTo = undefined
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
