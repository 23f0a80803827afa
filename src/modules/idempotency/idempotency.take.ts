import type { InsertFirst } from '../../db/natural-key.js'
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js'
import type { ClaimRequest } from './idempotency.repository.js'

/**
 * An Idempotency-Key taken inside the transaction of the operation's first write, instead of claimed
 * first with a statement and commit of its own (docs/flows.md, Idempotency): the take, the transaction
 * that undoes it when it fails, and binding the key to the row that transaction creates.
 */

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
  // Only a transaction that undoes the take when it fails may take it (see keyTakingTransaction).
  if (!inKeyTakingTransaction.has(untaken))
    throw new Error('an Idempotency-Key taken outside keyTakingTransaction')
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
  if (untaken) inKeyTakingTransaction.add(untaken)
  try {
    return await prisma.$transaction(work)
  } catch (error) {
    if (untaken) Object.assign(untaken, before)
    throw error
  } finally {
    if (untaken) inKeyTakingTransaction.delete(untaken)
  }
}

/** The keys whose transaction is running in keyTakingTransaction: the only place a take may happen. */
const inKeyTakingTransaction = new WeakSet<UntakenKey>()

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
