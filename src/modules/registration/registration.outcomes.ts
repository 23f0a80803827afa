import { claimNaturalKey } from '../../db/natural-key.js'
import { leaseWork, unsettledCandidates, type WorkLease } from '../../db/work-lease.js'
import { Prisma, type PrismaClient, type RegistrationStatus } from '../../generated/prisma/client.js'
import {
  bindIdempotencyKey,
  type IdempotencyKeyRef,
  idempotencyKeyTake,
  keyTakingTransaction,
  unbindTakenKey,
} from '../idempotency/index.js'
import { recordWebhookEvent } from '../webhooks/index.js'
import { registrationUpdated } from './registration.events.js'
import type { RegistrationRecord, RegistrationRecords } from './registration.records.js'
import { UNSETTLED } from './registration.records.js'
import type { NewRegistration } from './registration.types.js'

/**
 * The create call's outcome: the intent written before Privy is called, then what the answer (or its
 * absence) proved: submitted, failed, unknown, or unresolved once the settle bound ran out.
 */
export function registrationOutcomes(prisma: PrismaClient, records: RegistrationRecords) {
  const { toRecord, toRecords, changeAndReport, sealedToken } = records

  return {
    /**
     * The intent, written before Privy is called, so no outcome can go unrecorded. Its natural key
     * (one live registration per caller and person) is taken in the same transaction: when another
     * registration holds it, nothing is written and that registration's id comes back (an
     * Idempotency-Key taken here stays taken, unbound from the id not created: the caller binds or
     * releases it). A transaction that fails undoes its take with it (`keyTakingTransaction`).
     */
    async createIntent(
      registration: NewRegistration,
      naturalKey: string,
      idempotencyKey?: IdempotencyKeyRef,
    ): Promise<{ created: RegistrationRecord } | { existingId: string }> {
      return keyTakingTransaction(prisma, idempotencyKey, async (tx) => {
        // The Idempotency-Key first, in the natural key's statement: a concurrent request with it must
        // stop before the natural key.
        const take = idempotencyKeyTake(idempotencyKey, registration.id)
        const existingId = await claimNaturalKey(tx, naturalKey, 'registration', registration.id, take)
        if (existingId) {
          await unbindTakenKey(tx, idempotencyKey)
          return { existingId }
        }
        const created = await tx.registration.create({ data: { ...registration, submission: 'in_flight' } })
        await bindIdempotencyKey(tx, idempotencyKey, created.id)
        return { created: toRecord(created) }
      })
    },

    /** The person may register again: this registration ended (failed, hard-rejected, given up). */
    async releaseNaturalKey(id: string): Promise<void> {
      await prisma.naturalKey.deleteMany({ where: { resourceId: id } })
    },

    async hasNaturalKey(id: string): Promise<boolean> {
      return (await prisma.naturalKey.count({ where: { resourceId: id } })) > 0
    },

    async markSubmitted(
      id: string,
      submitted: {
        status: RegistrationStatus
        registerToken: string
        registrationUrl: string | null
        syncedAt: Date
      },
    ): Promise<RegistrationRecord> {
      // Guarded: a callback may have adopted the row and moved it on while this answer was on its
      // way; the answer then says nothing newer and the row stays as it is. The update returns the
      // row its event is made of: one round trip of every create less than an update and a read.
      const { registerToken, ...rest } = submitted
      const row = await prisma.$transaction(async (tx) => {
        const [updated] = await tx.registration.updateManyAndReturn({
          where: { id, submission: { in: UNSETTLED } },
          data: {
            ...rest,
            ...sealedToken(id, registerToken),
            submission: 'submitted',
            lateAnswerUntil: null,
            workLockedUntil: null,
          },
        })
        if (!updated) return null
        const record = toRecord(updated)
        await recordWebhookEvent(tx, registrationUpdated(record), record.updatedAt)
        return record
      })
      return row ?? toRecord(await prisma.registration.findUniqueOrThrow({ where: { id } }))
    },

    /**
     * A callback or read proved that a registration whose outcome was unknown exists at Privy:
     * it becomes an ordinary submitted registration with its register token.
     */
    async adoptSubmitted(
      id: string,
      adopted: { registerToken: string; registrationUrl?: string | null; status?: RegistrationStatus },
    ): Promise<RegistrationRecord | null> {
      const { registerToken, ...rest } = adopted
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: UNSETTLED } },
          data: {
            ...rest,
            ...sealedToken(id, registerToken),
            submission: 'submitted',
            lateAnswerUntil: null,
            workLockedUntil: null,
          },
        })
        return count === 1
      })
    },

    /**
     * Privy surely does not hold it. Reported only when the row was `unknown` or `unresolved` (the
     * merchant was told so); a row still in flight failed in front of its caller.
     */
    async markFailed(id: string, upstreamError: Prisma.InputJsonValue): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const before = await tx.registration.findUnique({ where: { id }, select: { submission: true } })
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: UNSETTLED } },
          data: { submission: 'failed', upstreamError, lateAnswerUntil: null, endedAt: new Date() },
        })
        if (count === 0) return
        await tx.naturalKey.deleteMany({ where: { resourceId: id } })
        if (before?.submission === 'unknown' || before?.submission === 'unresolved') {
          const row = toRecord(await tx.registration.findUniqueOrThrow({ where: { id } }))
          await recordWebhookEvent(tx, registrationUpdated(row), row.updatedAt)
        }
      })
    },

    /** Privy may hold it; a late answer may still come until `lateAnswerUntil`. */
    async markUnknown(
      id: string,
      upstreamError: Prisma.InputJsonValue,
      lateAnswerUntil: Date | null = null,
    ): Promise<void> {
      await changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, submission: 'in_flight' },
          data: { submission: 'unknown', upstreamError, lateAnswerUntil },
        })
        return count === 1
      })
    },

    /**
     * Still unknown when the settle bound ran out: handed to an operator, and the person may register
     * again (the natural key goes). A later proof (a callback, a kept answer) still settles it.
     */
    async markUnresolved(id: string, reason: Prisma.InputJsonValue): Promise<RegistrationRecord | null> {
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: ['in_flight', 'unknown'] } },
          data: { submission: 'unresolved', upstreamError: reason, lateAnswerUntil: null },
        })
        if (count !== 1) return false
        await tx.naturalKey.deleteMany({ where: { resourceId: id } })
        return true
      })
    },

    /**
     * Leases creates that need a move from the reconciler (in flight past the request budget, or
     * unknown past the settle bound), so that of several instances exactly one makes it.
     */
    async leaseUnsettled(options: WorkLease & { inFlightBefore: Date; settleBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'registrations',
        unsettledCandidates(options),
        Prisma.sql`created_at`,
        options,
      )
      return toRecords(await prisma.registration.findMany({ where: { id: { in: ids } } }))
    },
  }
}
