import { Prisma, type PrismaClient, type SubmissionState } from '../../generated/prisma/client.js'
import { createdWithin, type ListFilters } from '../list-filters.js'
import { type DocumentRecords, UNSETTLED, withSigners } from './documents.records.js'
import type { DocumentView } from './documents.schemas.js'

/** Who may read a document: its uploader, a signer the gateway knows, or (no filter) an operator. */
export function visibleTo(ownerId?: string): Prisma.DocumentWhereInput {
  return ownerId ? { OR: [{ ownerId }, { signers: { some: { userOwnerId: ownerId } } }] } : {}
}

export interface DocumentPage extends ListFilters {
  /** Only rows in this submission state (operators look for `unresolved` ones). */
  submission?: Exclude<SubmissionState, 'failed'>
  /** As a read shows it: `pending` is every upload Privy has not confirmed. */
  status?: DocumentView['status']
  limit: number
  after?: { createdAt: Date; id: string }
}

const olderThan = (after?: { createdAt: Date; id: string }): Prisma.DocumentWhereInput =>
  after
    ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
    : {}

/** The document lists: filtered for operators, and the signer's "waiting for my signature" view. */
export function documentLists(prisma: PrismaClient, { toRecords }: DocumentRecords) {
  return {
    async listVisible(page: DocumentPage) {
      const { status } = page
      const rows = await prisma.document.findMany({
        where: {
          AND: [
            visibleTo(page.viewer),
            page.owner ? { ownerId: page.owner } : {},
            createdWithin(page),
            { submission: page.submission ?? { not: 'failed' } },
            status === 'pending'
              ? { submission: { in: UNSETTLED } }
              : status
                ? { status, submission: 'submitted' }
                : {},
            olderThan(page.after),
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        include: withSigners,
      })
      return toRecords(rows)
    },

    /**
     * Documents where it is `userOwnerId`'s turn to sign: open at Privy, their signer seat still
     * waiting, and in serial signing no earlier signer still to sign (the rule of
     * documents.signing.ts, which refuses NOT_YOUR_TURN). Driven by document_signers(user_owner_id).
     */
    async listAwaiting(page: Omit<DocumentPage, 'viewer'> & { userOwnerId: string }) {
      const { after } = page
      // Driven from the caller's seats (the user_owner_id index), then each seat's document: as a
      // correlated `IN` from documents it walked every open document (5 s on 100k; 1.3 ms this way).
      const ids = await prisma.$queryRaw<Array<{ id: string }>>`
        SELECT DISTINCT d.created_at, d.id FROM document_signers s
        JOIN documents d ON d.id = s.document_id
        WHERE s.user_owner_id = ${page.userOwnerId} AND s.role = 'signer' AND s.status = 'waiting'
          AND d.status = 'uploaded' AND d.submission = 'submitted'
          AND (d.sign_process = 'parallel' OR NOT EXISTS (
            SELECT 1 FROM document_signers p
            WHERE p.document_id = s.document_id AND p.role = 'signer'
              AND p.position < s.position AND p.status <> 'signed'))
          ${page.createdAfter ? Prisma.sql`AND d.created_at >= ${page.createdAfter}` : Prisma.empty}
          ${page.createdBefore ? Prisma.sql`AND d.created_at < ${page.createdBefore}` : Prisma.empty}
          ${page.referenceNumber ? Prisma.sql`AND d.reference_number = ${page.referenceNumber}` : Prisma.empty}
          ${after ? Prisma.sql`AND (d.created_at, d.id) < (${after.createdAt}, ${after.id}::uuid)` : Prisma.empty}
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT ${page.limit}`
      const rows = await prisma.document.findMany({
        where: { id: { in: ids.map((row) => row.id) } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        include: withSigners,
      })
      return toRecords(rows)
    },
  }
}
