import { Prisma, type PrismaClient } from '../generated/prisma/client.js'

/** The two tables whose rows the reconciler and the poller work on. */
export type LeasedTable = 'registrations' | 'documents'

/** What a sweep asks for: which rows, in which order, and until when it holds them. */
export interface WorkLease {
  now: Date
  leaseUntil: Date
  limit: number
}

/**
 * Leases up to `limit` rows of `table` matching `candidates` that no one holds (`work_locked_until`
 * passed or unset), with `FOR UPDATE SKIP LOCKED`: of several instances sweeping at once, each row
 * goes to exactly one. Returns the leased ids.
 */
export async function leaseWork(
  prisma: PrismaClient,
  table: LeasedTable,
  candidates: Prisma.Sql,
  orderBy: Prisma.Sql,
  lease: WorkLease,
): Promise<string[]> {
  const name = Prisma.raw(table)
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    UPDATE ${name} SET work_locked_until = ${lease.leaseUntil}
    WHERE id IN (
      SELECT id FROM ${name}
      WHERE (${candidates})
        AND (work_locked_until IS NULL OR work_locked_until < ${lease.now})
      ORDER BY ${orderBy}
      LIMIT ${lease.limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id`
  return rows.map((row) => row.id)
}

/** Settled work is not leased: rows submitted to Privy and still moving, not synced since `staleBefore`. */
export function staleCandidates(statuses: readonly string[], staleBefore: Date): Prisma.Sql {
  return Prisma.sql`submission = 'submitted'
    AND status::text IN (${Prisma.join(statuses)})
    AND (synced_at IS NULL OR synced_at < ${staleBefore})`
}

/**
 * Creates with no known outcome that the reconciler must move: `in_flight` rows whose request died
 * with its instance (they become `unknown`), and `unknown` rows past the settle bound whose late-answer
 * window has closed (they become `unresolved`). An `unknown` row within the bound is not leased:
 * nothing but its late answer, a callback or a keyed retry can settle it, and none of those needs a
 * lease.
 */
export function unsettledCandidates(options: {
  inFlightBefore: Date
  settleBefore: Date
  now: Date
}): Prisma.Sql {
  return Prisma.sql`(submission = 'in_flight' AND created_at < ${options.inFlightBefore})
    OR (submission = 'unknown' AND created_at < ${options.settleBefore}
        AND (late_answer_until IS NULL OR late_answer_until < ${options.now}))`
}
