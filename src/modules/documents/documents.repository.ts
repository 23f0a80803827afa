import { randomUUID } from 'node:crypto'
import { claimNaturalKey } from '../../db/natural-key.js'
import { leaseWork, staleCandidates, unsettledCandidates, type WorkLease } from '../../db/work-lease.js'
import {
  type Document,
  type DocumentEvent,
  type DocumentSigner,
  type DocumentStatus,
  Prisma,
  type PrismaClient,
} from '../../generated/prisma/client.js'
import { bindIdempotencyKey, type IdempotencyKeyRef } from '../idempotency/idempotency.repository.js'
import { recordWebhookEvent } from '../webhooks/webhooks.outbox.js'
import { documentUpdated } from './documents.events.js'

export type DocumentRecord = Document & { signers: DocumentSigner[] }
export type DocumentEventRecord = DocumentEvent

export interface NewDocument {
  document: Omit<Prisma.DocumentUncheckedCreateInput, 'signers' | 'events'>
  signers: Array<Omit<Prisma.DocumentSignerUncheckedCreateInput, 'documentId'>>
}

const withSigners = { signers: { orderBy: { position: 'asc' } } } as const

/** Who may read a document: its uploader, a signer the gateway knows, or (no filter) an operator. */
function visibleTo(ownerId?: string): Prisma.DocumentWhereInput {
  return ownerId ? { OR: [{ ownerId }, { signers: { some: { userOwnerId: ownerId } } }] } : {}
}

/**
 * The only code that reads or writes documents, their signers and their events. Every change a
 * merchant can see is written with its `document.updated` outbox event in one transaction.
 */
export function createDocumentRepository(prisma: PrismaClient) {
  /** Runs a guarded write; when it changed the row, records the row's event in the same transaction. */
  async function changeAndReport(
    id: string,
    write: (tx: Prisma.TransactionClient) => Promise<boolean>,
  ): Promise<DocumentRecord | null> {
    return prisma.$transaction(async (tx) => {
      if (!(await write(tx))) return null
      const row = await tx.document.findUniqueOrThrow({ where: { id }, include: withSigners })
      await recordWebhookEvent(tx, documentUpdated(row), row.updatedAt)
      return row
    })
  }

  return {
    /**
     * The intent, written before Privy is called. Its natural key (one document per caller, PDF and
     * signers) is taken in the same transaction: when another document holds it, nothing is written
     * and that document's id comes back.
     */
    async createIntent(
      { document, signers }: NewDocument,
      naturalKey: string,
      idempotencyKey?: IdempotencyKeyRef,
    ): Promise<{ created: DocumentRecord } | { existingId: string }> {
      return prisma.$transaction(async (tx) => {
        const existingId = await claimNaturalKey(tx, naturalKey, 'document', document.id)
        if (existingId) return { existingId }
        const created = await tx.document.create({
          data: {
            ...document,
            submission: 'in_flight',
            signers: { create: signers },
            events: {
              create: {
                id: randomUUID(),
                type: 'received',
                detail: 'PDF received and checked by the gateway',
              },
            },
          },
          include: withSigners,
        })
        await bindIdempotencyKey(tx, idempotencyKey, created.id)
        return { created }
      })
    },

    /** The same PDF may be sent to the same signers again: this document ended. */
    async releaseNaturalKey(id: string): Promise<void> {
      await prisma.naturalKey.deleteMany({ where: { resourceId: id } })
    },

    async markSubmitted(
      id: string,
      submitted: { documentToken: string; signingUrl: string; status: DocumentStatus; syncedAt: Date },
    ): Promise<DocumentRecord> {
      // Guarded: a callback may have adopted the row and moved it on while this answer was on its way.
      const row = await changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: { in: ['in_flight', 'unknown'] } },
          data: { ...submitted, submission: 'submitted', lateAnswerUntil: null, workLockedUntil: null },
        })
        if (count !== 1) return false
        await tx.documentEvent.create({
          data: {
            id: randomUUID(),
            documentId: id,
            type: 'sent_to_privy',
            detail: 'Uploaded to Privy for signing',
          },
        })
        return true
      })
      return row ?? prisma.document.findUniqueOrThrow({ where: { id }, include: withSigners })
    },

    async adoptSubmitted(
      id: string,
      documentToken: string,
      signingUrl: string | null,
      event?: { type: string; detail: string },
    ): Promise<DocumentRecord | null> {
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: { in: ['unknown', 'in_flight'] } },
          data: {
            submission: 'submitted',
            documentToken,
            signingUrl,
            lateAnswerUntil: null,
            workLockedUntil: null,
          },
        })
        if (count === 1 && event) {
          await tx.documentEvent.create({ data: { id: randomUUID(), documentId: id, ...event } })
        }
        return count === 1
      })
    },

    /** `unknown` is reported; `failed` only after `unknown` (otherwise the caller got the error itself). */
    async markOutcome(
      id: string,
      submission: 'failed' | 'unknown',
      upstreamError: Prisma.InputJsonValue,
      lateAnswerUntil: Date | null = null,
    ) {
      if (submission === 'failed') {
        await prisma.$transaction(async (tx) => {
          const before = await tx.document.findUnique({ where: { id }, select: { submission: true } })
          const { count } = await tx.document.updateMany({
            where: { id, submission: { in: ['in_flight', 'unknown'] } },
            data: { submission, upstreamError, lateAnswerUntil: null },
          })
          if (count === 0) return
          await tx.naturalKey.deleteMany({ where: { resourceId: id } })
          // The merchant was told it was unknown: it hears that it failed.
          if (before?.submission === 'unknown') {
            const row = await tx.document.findUniqueOrThrow({ where: { id }, include: withSigners })
            await recordWebhookEvent(tx, documentUpdated(row), row.updatedAt)
          }
        })
        return
      }
      await changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: 'in_flight' },
          data: { submission, upstreamError, lateAnswerUntil },
        })
        return count === 1
      })
    },

    async findVisible(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      return prisma.document.findFirst({
        where: { id, submission: { not: 'failed' }, ...visibleTo(ownerId) },
        include: withSigners,
      })
    },

    /** Documents the caller uploaded (never another user's), for revoke. */
    async findOwned(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      return prisma.document.findFirst({
        where: { id, submission: { not: 'failed' }, ...(ownerId ? { ownerId } : {}) },
        include: withSigners,
      })
    },

    async findByReference(referenceNumber: string): Promise<DocumentRecord | null> {
      return prisma.document.findUnique({ where: { referenceNumber }, include: withSigners })
    },

    async listVisible(page: { ownerId?: string; limit: number; after?: { createdAt: Date; id: string } }) {
      const { after } = page
      return prisma.document.findMany({
        where: {
          AND: [
            visibleTo(page.ownerId),
            { submission: { not: 'failed' } },
            after
              ? {
                  OR: [
                    { createdAt: { lt: after.createdAt } },
                    { createdAt: after.createdAt, id: { lt: after.id } },
                  ],
                }
              : {},
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        include: withSigners,
      })
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
      return prisma.document.findMany({ where: { id: { in: ids } }, include: withSigners })
    },

    /** Leases documents whose create call has no known outcome (the reconciler). */
    async leaseUnsettled(options: WorkLease & { inFlightBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'documents',
        unsettledCandidates(options.inFlightBefore, options.now),
        Prisma.sql`created_at`,
        options,
      )
      return prisma.document.findMany({ where: { id: { in: ids } }, include: withSigners })
    },

    async hasNaturalKey(id: string): Promise<boolean> {
      return (await prisma.naturalKey.count({ where: { resourceId: id } })) > 0
    },

    /** An action on the document (revoke) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.document.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    async touchSynced(id: string, syncedAt: Date): Promise<void> {
      await prisma.document.update({ where: { id }, data: { syncedAt } })
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

    async addEvent(documentId: string, type: string, detail: string): Promise<void> {
      await prisma.documentEvent.create({ data: { id: randomUUID(), documentId, type, detail } })
    },

    async events(documentId: string): Promise<DocumentEventRecord[]> {
      return prisma.documentEvent.findMany({ where: { documentId }, orderBy: { createdAt: 'asc' } })
    },

    /** Signers the calling user acts as, on the given documents. */
    async signerSeats(documentIds: string[], userOwnerId: string): Promise<DocumentRecord[]> {
      return prisma.document.findMany({
        where: { id: { in: documentIds }, submission: 'submitted', signers: { some: { userOwnerId } } },
        include: withSigners,
      })
    },
  }
}

export type DocumentRepository = ReturnType<typeof createDocumentRepository>
