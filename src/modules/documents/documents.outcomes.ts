import { randomUUID } from 'node:crypto'
import { claimNaturalKey } from '../../db/natural-key.js'
import { leaseWork, unsettledCandidates, type WorkLease } from '../../db/work-lease.js'
import { type DocumentStatus, Prisma, type PrismaClient } from '../../generated/prisma/client.js'
import { bindIdempotencyKey, type IdempotencyKeyRef } from '../idempotency/index.js'
import { recordWebhookEvent } from '../webhooks/index.js'
import { documentUpdated } from './documents.events.js'
import { type DocumentRecord, type DocumentRecords, UNSETTLED, withSigners } from './documents.records.js'
import type { NewDocument } from './documents.types.js'

/**
 * The upload call's outcome: the intent written before Privy is called, then what the answer (or its
 * absence) proved: submitted, failed, unknown, or unresolved once the settle bound ran out.
 */
export function documentOutcomes(prisma: PrismaClient, records: DocumentRecords) {
  const { toRecord, toRecords, changeAndReport, sealedToken } = records

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
        return { created: toRecord(created) }
      })
    },

    /** The same PDF may be sent to the same signers again: this document ended. */
    async releaseNaturalKey(id: string): Promise<void> {
      await prisma.naturalKey.deleteMany({ where: { resourceId: id } })
    },

    async hasNaturalKey(id: string): Promise<boolean> {
      return (await prisma.naturalKey.count({ where: { resourceId: id } })) > 0
    },

    async markSubmitted(
      id: string,
      submitted: { documentToken: string; signingUrl: string; status: DocumentStatus; syncedAt: Date },
    ): Promise<DocumentRecord> {
      // Guarded: a callback may have adopted the row and moved it on while this answer was on its way.
      const { documentToken, ...rest } = submitted
      const row = await changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: { in: UNSETTLED } },
          data: {
            ...rest,
            ...sealedToken(id, documentToken),
            submission: 'submitted',
            lateAnswerUntil: null,
            workLockedUntil: null,
          },
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
      return row ?? toRecord(await prisma.document.findUniqueOrThrow({ where: { id }, include: withSigners }))
    },

    async adoptSubmitted(
      id: string,
      documentToken: string,
      signingUrl: string | null,
      event?: { type: string; detail: string },
    ): Promise<DocumentRecord | null> {
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: { in: UNSETTLED } },
          data: {
            submission: 'submitted',
            ...sealedToken(id, documentToken),
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

    /**
     * `unknown` is reported; `failed` only after `unknown` or `unresolved` (otherwise the caller got the
     * error itself).
     */
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
            where: { id, submission: { in: UNSETTLED } },
            data: { submission, upstreamError, lateAnswerUntil: null },
          })
          if (count === 0) return
          await tx.naturalKey.deleteMany({ where: { resourceId: id } })
          // The merchant was told it was unknown: it hears that it failed.
          if (before?.submission === 'unknown' || before?.submission === 'unresolved') {
            const row = toRecord(await tx.document.findUniqueOrThrow({ where: { id }, include: withSigners }))
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

    /**
     * Still unknown when the settle bound ran out: handed to an operator, and the same PDF may be sent
     * to the same signers again (the natural key goes). A later proof (a callback) still settles it.
     */
    async markUnresolved(id: string, reason: Prisma.InputJsonValue): Promise<DocumentRecord | null> {
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id, submission: { in: ['in_flight', 'unknown'] } },
          data: { submission: 'unresolved', upstreamError: reason, lateAnswerUntil: null },
        })
        if (count !== 1) return false
        await tx.naturalKey.deleteMany({ where: { resourceId: id } })
        await tx.documentEvent.create({
          data: {
            id: randomUUID(),
            documentId: id,
            type: 'unresolved',
            detail: "Privy's answer to the upload never came: an operator checks it with Privy",
          },
        })
        return true
      })
    },

    /**
     * Leases uploads that need a move from the reconciler (in flight past the request budget, or
     * unknown past the settle bound), so that of several instances exactly one makes it.
     */
    async leaseUnsettled(options: WorkLease & { inFlightBefore: Date; settleBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'documents',
        unsettledCandidates(options),
        Prisma.sql`created_at`,
        options,
      )
      return toRecords(await prisma.document.findMany({ where: { id: { in: ids } }, include: withSigners }))
    },
  }
}
