import type { PrismaClient, PrivyCallbackState } from '../../generated/prisma/client.js'

/** What may be read of a stored callback without its body. */
export interface StoredCallbackRecord {
  id: string
  event: string | null
  referenceNumber: string | null
  state: PrivyCallbackState
  signatureValid: boolean
  error: string | null
  sizeBytes: number
  attempts: number
  receivedAt: Date
  processedAt: Date | null
}

/**
 * A callback this process holds the lease of, with its sealed body. `attempts` is the lease's
 * fencing token: every lease increments it, so a holder whose lease expired and was taken over can
 * no longer settle the row.
 */
export interface LeasedCallback {
  id: string
  attempts: number
  bodyKeyId: string
  bodyEncrypted: Buffer
}

export interface NewCallback {
  id: string
  /** sha256 of the docs/privy-contract.md §2.3 canonical form: what deduplicates (see verifyCallback). */
  canonicalSha256: string
  event: string | null
  referenceNumber: string | null
  bodyKeyId: string
  bodyEncrypted: Buffer
  sizeBytes: number
}

/** A refused callback is kept without its body. */
export type RejectedCallback = Omit<NewCallback, 'bodyEncrypted'>

/**
 * A signed callback refused for its shape: `duplicate` when a verified callback of the same canonical
 * form is stored (a padded replay of it), `stored` when kept now, `known` when kept before.
 */
export type MalformedOutcome = 'duplicate' | 'stored' | 'known'

export interface CallbackPageRequest {
  state?: PrivyCallbackState
  referenceNumber?: string
  limit: number
  after?: { createdAt: Date; id: string }
}

const METADATA = {
  id: true,
  event: true,
  referenceNumber: true,
  state: true,
  signatureValid: true,
  error: true,
  sizeBytes: true,
  attempts: true,
  receivedAt: true,
  processedAt: true,
} as const

interface LeasedRow {
  id: string
  attempts: number
  bodyKeyId: string
  bodyEncrypted: Uint8Array
}

const leased = (row: LeasedRow): LeasedCallback => ({ ...row, bodyEncrypted: Buffer.from(row.bodyEncrypted) })

/**
 * The only code that reads or writes privy_callbacks. Leases are taken and checked by the database's
 * clock, so several gateway instances on one database agree on them: a row is applied by whoever
 * holds its lease, and only a `received` row whose lease is free (or expired) can be leased.
 */
export function createCallbackRepository(prisma: PrismaClient) {
  return {
    /**
     * Stores a verified callback, leased to the caller from birth so no other instance's sweep can take
     * it before the caller applies it. Null when the same canonical form was stored before (a
     * duplicate, however differently its whitespace was padded).
     */
    async insertVerified(callback: NewCallback, leaseMs: number): Promise<LeasedCallback | null> {
      const rows = await prisma.$queryRaw<LeasedRow[]>`
        INSERT INTO privy_callbacks
          (id, canonical_sha256, event, reference_number, signature_valid, state, body_key_id,
           body_encrypted, size_bytes, attempts, locked_until)
        VALUES
          (${callback.id}::uuid, ${callback.canonicalSha256}, ${callback.event}, ${callback.referenceNumber},
           true, 'received', ${callback.bodyKeyId}, ${callback.bodyEncrypted}, ${callback.sizeBytes}::int, 1,
           now() + ${leaseMs}::int * interval '1 millisecond')
        ON CONFLICT (canonical_sha256, signature_valid, malformed) DO NOTHING
        RETURNING id::text AS id, attempts, body_key_id AS "bodyKeyId", body_encrypted AS "bodyEncrypted"`
      return rows[0] ? leased(rows[0]) : null
    },

    /**
     * Whether a verified callback of this canonical form is stored: a replay is answered from this one
     * indexed lookup, before its body is sealed or sent to the database (the inserts still decide
     * when two copies race).
     */
    async isStored(canonicalSha256: string): Promise<boolean> {
      const rows = await prisma.$queryRaw<Array<{ found: number }>>`
        SELECT 1 AS found FROM privy_callbacks
        WHERE canonical_sha256 = ${canonicalSha256} AND signature_valid AND NOT malformed
        LIMIT 1`
      return rows.length > 0
    },

    /**
     * Keeps a signed callback refused for its shape (422), once per canonical form, `failed` with
     * why, its body sealed: Privy retries a non-2xx with the same bytes, and an operator may reapply
     * it once the gateway understands it. Never when a verified callback of the same canonical form
     * is stored: then it is that callback, padded, and a duplicate.
     */
    async insertMalformed(callback: NewCallback, error: string): Promise<MalformedOutcome> {
      const [row] = await prisma.$queryRaw<Array<{ duplicate: boolean; stored: boolean }>>`
        WITH genuine AS (
          SELECT 1 FROM privy_callbacks
          WHERE canonical_sha256 = ${callback.canonicalSha256} AND signature_valid AND NOT malformed
          LIMIT 1
        ),
        kept AS (
          INSERT INTO privy_callbacks
            (id, canonical_sha256, event, reference_number, signature_valid, malformed, state, body_key_id,
             body_encrypted, size_bytes, error, attempts, processed_at)
          SELECT ${callback.id}::uuid, ${callback.canonicalSha256}, ${callback.event},
                 ${callback.referenceNumber}, true, true, 'failed', ${callback.bodyKeyId},
                 ${callback.bodyEncrypted}, ${callback.sizeBytes}::int, ${error}, 1, now()
          WHERE NOT EXISTS (SELECT 1 FROM genuine)
          ON CONFLICT (canonical_sha256, signature_valid, malformed) DO NOTHING
          RETURNING id
        )
        SELECT EXISTS (SELECT 1 FROM genuine) AS duplicate, EXISTS (SELECT 1 FROM kept) AS stored`
      return row?.duplicate ? 'duplicate' : row?.stored ? 'stored' : 'known'
    },

    /**
     * Keeps a callback whose signature failed, for inspection only: its hash, size, event, reference
     * and why, never its body (anyone can send these: a body would let them fill the disk). False
     * when already kept. The caller decides whether it may be kept at all (a limit per address).
     */
    async insertRejected(callback: RejectedCallback, error: string): Promise<boolean> {
      const rows = await prisma.$queryRaw<Array<{ id: string }>>`
        INSERT INTO privy_callbacks
          (id, canonical_sha256, event, reference_number, signature_valid, state, body_key_id,
           body_encrypted, size_bytes, error, processed_at)
        VALUES
          (${callback.id}::uuid, ${callback.canonicalSha256}, ${callback.event}, ${callback.referenceNumber},
           false, 'rejected', ${callback.bodyKeyId}, ''::bytea, ${callback.sizeBytes}::int, ${error},
           now())
        ON CONFLICT (canonical_sha256, signature_valid, malformed) DO NOTHING
        RETURNING id::text AS id`
      return rows.length > 0
    },

    /**
     * The consumer's batch: `received` rows whose lease is free, oldest first. SKIP LOCKED lets
     * concurrent sweeps of other instances pass over the rows this one is leasing.
     */
    async leaseDue(limit: number, leaseMs: number): Promise<LeasedCallback[]> {
      const rows = await prisma.$queryRaw<LeasedRow[]>`
        UPDATE privy_callbacks
        SET attempts = attempts + 1, locked_until = now() + ${leaseMs}::int * interval '1 millisecond'
        WHERE id IN (
          SELECT id FROM privy_callbacks
          WHERE state = 'received' AND signature_valid
            AND (locked_until IS NULL OR locked_until < now())
          ORDER BY received_at
          LIMIT ${limit}::int
          FOR UPDATE SKIP LOCKED
        )
        RETURNING id::text AS id, attempts, body_key_id AS "bodyKeyId", body_encrypted AS "bodyEncrypted"`
      return rows.map(leased)
    },

    /**
     * An operator's reapply: a verified callback that is not applied (received, ignored or failed)
     * goes back to `received` under the caller's lease. Null when it is not such a callback or
     * someone holds its lease right now.
     */
    async leaseForReapply(id: string, leaseMs: number): Promise<LeasedCallback | null> {
      const rows = await prisma.$queryRaw<LeasedRow[]>`
        UPDATE privy_callbacks
        SET state = 'received', error = NULL, processed_at = NULL, attempts = attempts + 1,
            locked_until = now() + ${leaseMs}::int * interval '1 millisecond'
        WHERE id = ${id}::uuid AND signature_valid AND state IN ('received', 'ignored', 'failed')
          AND (locked_until IS NULL OR locked_until < now())
        RETURNING id::text AS id, attempts, body_key_id AS "bodyKeyId", body_encrypted AS "bodyEncrypted"`
      return rows[0] ? leased(rows[0]) : null
    },

    /** Settles a leased callback; false when the lease was lost (another holder settles it). */
    async settle(
      lease: LeasedCallback,
      state: Extract<PrivyCallbackState, 'applied' | 'ignored' | 'failed'>,
      error: string | null,
    ): Promise<boolean> {
      const count = await prisma.$executeRaw`
        UPDATE privy_callbacks
        SET state = ${state}::"PrivyCallbackState", error = ${error}, processed_at = now(), locked_until = NULL
        WHERE id = ${lease.id}::uuid AND state = 'received' AND attempts = ${lease.attempts}::int`
      return count === 1
    },

    /** Leaves a leased callback `received`, to be leased again by a sweep after `delayMs`. */
    async retryLater(lease: LeasedCallback, error: string, delayMs: number): Promise<boolean> {
      const count = await prisma.$executeRaw`
        UPDATE privy_callbacks
        SET error = ${error}, locked_until = now() + ${delayMs}::int * interval '1 millisecond'
        WHERE id = ${lease.id}::uuid AND state = 'received' AND attempts = ${lease.attempts}::int`
      return count === 1
    },

    /** Bodies sealed under another key than the active one (key rotation), oldest first. */
    async findSealedUnderOtherKey(activeKeyId: string, limit: number) {
      return prisma.privyCallback.findMany({
        where: { bodyKeyId: { not: activeKeyId }, sizeBytes: { gt: 0 }, signatureValid: true },
        select: { id: true, bodyKeyId: true, bodyEncrypted: true },
        orderBy: { receivedAt: 'asc' },
        take: limit,
      })
    },

    async reseal(id: string, fromKeyId: string, sealed: { keyId: string; data: Uint8Array<ArrayBuffer> }) {
      const { count } = await prisma.privyCallback.updateMany({
        // Not if the retention erased the body meanwhile (size 0): it must stay erased.
        where: { id, bodyKeyId: fromKeyId, sizeBytes: { gt: 0 } },
        data: { bodyKeyId: sealed.keyId, bodyEncrypted: sealed.data },
      })
      return count === 1
    },

    /**
     * Retention: bodies of callbacks received before `before` are erased (their metadata stays), and
     * refused ones (unsigned or forged: anyone can send them) received before `rejectedBefore` are
     * deleted outright.
     */
    async eraseOlderThan(before: Date, rejectedBefore: Date): Promise<{ erased: number; deleted: number }> {
      const deleted = await prisma.privyCallback.deleteMany({
        where: { state: 'rejected', receivedAt: { lt: rejectedBefore } },
      })
      const erased = await prisma.privyCallback.updateMany({
        where: { receivedAt: { lt: before }, sizeBytes: { gt: 0 }, state: { not: 'received' } },
        data: { bodyEncrypted: new Uint8Array(0), sizeBytes: 0 },
      })
      return { erased: erased.count, deleted: deleted.count }
    },

    async findById(id: string): Promise<StoredCallbackRecord | null> {
      return prisma.privyCallback.findUnique({ where: { id }, select: METADATA })
    },

    /** Newest first, by (received_at, id); the body is never read here. */
    async list(page: CallbackPageRequest): Promise<StoredCallbackRecord[]> {
      const { after } = page
      return prisma.privyCallback.findMany({
        where: {
          ...(page.state ? { state: page.state } : {}),
          ...(page.referenceNumber ? { referenceNumber: page.referenceNumber } : {}),
          ...(after
            ? {
                OR: [
                  { receivedAt: { lt: after.createdAt } },
                  { receivedAt: after.createdAt, id: { lt: after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        select: METADATA,
      })
    },
  }
}

export type CallbackRepository = ReturnType<typeof createCallbackRepository>
