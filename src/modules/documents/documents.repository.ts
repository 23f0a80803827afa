import { randomUUID } from 'node:crypto'
import type { RawSql } from '../../db/raw-sql.js'
import { leaseWork, staleCandidates, type WorkLease } from '../../db/work-lease.js'
import { type DocumentStatus, Prisma, type PrismaClient } from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { openPrivyToken } from '../../lib/privy-tokens.js'
import { documentLists } from './documents.lists.js'
import { documentOutcomes } from './documents.outcomes.js'
import { documentRecords, withSigners } from './documents.records.js'

import type { DocumentEventRecord, DocumentRecord } from './documents.types.js'

export type { DocumentEventRecord, DocumentRecord, NewDocument } from './documents.types.js'

// As Prisma's update did: `updated_at` moves with any write of the row, by the wall clock.
const TOUCH_SYNCED = {
  name: 'document_touch_synced',
  text: 'UPDATE documents SET synced_at = $2, updated_at = $3 WHERE id = $1',
}

/**
 * The only code that reads or writes documents, their signers and their events. Every change a
 * merchant can see is written with its `document.updated` outbox event in one transaction.
 */
export function createDocumentRepository(prisma: PrismaClient, pii: PiiCipher, raw: RawSql) {
  const records = documentRecords(prisma, pii, raw)
  const { toRecords, orNull, changeAndReport } = records

  return {
    ...documentOutcomes(prisma, records),
    ...documentLists(prisma, records),

    /** The status read, so its own SQL (documents.records.ts), not Prisma's model query. */
    findVisible: records.findVisible,

    /** Documents the caller uploaded (never another user's), for revoke. */
    async findOwned(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      return orNull(
        await prisma.document.findFirst({
          where: { id, submission: { not: 'failed' }, ...(ownerId ? { ownerId } : {}) },
          include: withSigners,
        }),
      )
    },

    async findByReference(referenceNumber: string): Promise<DocumentRecord | null> {
      return orNull(await prisma.document.findUnique({ where: { referenceNumber }, include: withSigners }))
    },

    /** Applies a status read guarded by the status it was read with; null when someone else moved it. */
    async applyStatus(
      read: DocumentRecord,
      next: { status: DocumentStatus; eMeterai?: Prisma.InputJsonValue; syncedAt: Date; revokedAt?: Date },
      signed: Array<{ id: string; signedAt: Date }>,
      event?: { type: string; detail: string },
    ): Promise<DocumentRecord | null> {
      return changeAndReport(read.id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id: read.id, status: read.status },
          data: next,
        })
        if (count !== 1) return false
        // Revoked, expired or failed at Privy: the same PDF may be sent to the same signers again.
        if (next.status === 'revoked' || next.status === 'expired' || next.status === 'error') {
          await tx.naturalKey.deleteMany({ where: { resourceId: read.id } })
        }
        for (const signer of signed) {
          await tx.documentSigner.updateMany({
            where: { id: signer.id, status: 'waiting' },
            data: { status: 'signed', signedAt: signer.signedAt },
          })
        }
        if (event)
          await tx.documentEvent.create({ data: { id: randomUUID(), documentId: read.id, ...event } })
        return true
      })
    },

    /**
     * Leases documents that have not moved for a while and are not settled (the poller), so that of
     * several instances exactly one re-checks each.
     */
    async leaseStale(options: WorkLease & { staleBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'documents',
        staleCandidates(['uploaded', 'processing', 'processing_emeterai'], options.staleBefore),
        Prisma.sql`synced_at NULLS FIRST`,
        options,
      )
      return toRecords(await prisma.document.findMany({ where: { id: { in: ids } }, include: withSigners }))
    },

    /** An action on the document (revoke) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.document.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    /** The heartbeat of a read that changed nothing: one named UPDATE, nothing read back. */
    async touchSynced(id: string, syncedAt: Date): Promise<void> {
      await raw.execute({ ...TOUCH_SYNCED, values: [id, syncedAt, new Date()] })
    },

    async recordSignedPdf(id: string, signedSha256: string): Promise<void> {
      await prisma.document.update({
        where: { id },
        data: {
          signedSha256,
          events: {
            create: {
              id: randomUUID(),
              type: 'signed_pdf_stored',
              detail: 'Signed PDF fetched from Privy and kept',
            },
          },
        },
      })
    },

    async addEvent(documentId: string, type: string, detail: string, actor?: string): Promise<void> {
      await prisma.documentEvent.create({
        data: { id: randomUUID(), documentId, type, detail, actor: actor ?? null },
      })
    },

    async events(documentId: string): Promise<DocumentEventRecord[]> {
      return prisma.documentEvent.findMany({ where: { documentId }, orderBy: { createdAt: 'asc' } })
    },

    /**
     * Signers the calling user acts as, on the given documents: every upload not known to have failed,
     * so that one whose outcome is still open answers "pending", never "not found".
     */
    async signerSeats(documentIds: string[], userOwnerId: string): Promise<DocumentRecord[]> {
      const rows = await prisma.document.findMany({
        where: {
          id: { in: documentIds },
          submission: { not: 'failed' },
          signers: { some: { userOwnerId } },
        },
        include: withSigners,
      })
      return toRecords(rows)
    },

    /** Document tokens sealed under another key than the active one (key rotation), opened. */
    async findTokensUnderOtherKey(activeKeyId: string, limit: number) {
      const rows = await prisma.document.findMany({
        where: { AND: [{ tokenKeyId: { not: null } }, { tokenKeyId: { not: activeKeyId } }] },
        select: { id: true, tokenKeyId: true, documentTokenSealed: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      })
      return rows.flatMap(({ id, tokenKeyId, documentTokenSealed }) =>
        tokenKeyId && documentTokenSealed
          ? [
              {
                id,
                keyId: tokenKeyId,
                token: openPrivyToken(pii, 'document_token', id, {
                  sealed: documentTokenSealed,
                  keyId: tokenKeyId,
                }),
              },
            ]
          : [],
      )
    },

    /** Seals the token again under the active key, only if no one re-sealed it meanwhile. */
    async resealToken(id: string, fromKeyId: string, token: string): Promise<boolean> {
      const { count } = await prisma.document.updateMany({
        where: { id, tokenKeyId: fromKeyId },
        data: records.sealedToken(id, token),
      })
      return count === 1
    },
  }
}

export type DocumentRepository = ReturnType<typeof createDocumentRepository>
