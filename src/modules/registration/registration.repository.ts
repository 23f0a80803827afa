import { claimNaturalKey } from '../../db/natural-key.js'
import { leaseWork, staleCandidates, unsettledCandidates, type WorkLease } from '../../db/work-lease.js'
import {
  Prisma,
  type PrismaClient,
  type Registration,
  type RegistrationStatus,
  type RegistrationType,
} from '../../generated/prisma/client.js'
import { bindIdempotencyKey, type IdempotencyKeyRef } from '../idempotency/idempotency.repository.js'
import { recordWebhookEvent } from '../webhooks/webhooks.outbox.js'
import { registrationUpdated } from './registration.events.js'
import type { SealedIdentity } from './registration.pii.js'

export type RegistrationRecord = Registration

export interface NewRegistration extends SealedIdentity {
  id: string
  /** By the service's clock, which the reconciler's in-flight budget is measured with. */
  createdAt: Date
  ownerId: string
  referenceNumber: string
  registrationType: RegistrationType
  status: RegistrationStatus
  emailMasked: string
  phoneMasked: string
  /** Keyed HMAC of the phone number, for the per-phone OTP limits. */
  phoneLookup?: string
  phonePrefixLookup?: string
  /** Keyed HMAC of the normalised email address, for the per-address email OTP limits. */
  emailLookup?: string
}

export interface UpstreamStatus {
  status: RegistrationStatus
  privyId: string | null
  rejectCode: string | null
  rejectReason: string | null
  canResend: boolean
  syncedAt: Date
  upstreamUpdatedAt: Date | null
}

export interface PageRequest {
  ownerId?: string
  limit: number
  after?: { createdAt: Date; id: string }
}

/**
 * The only code that reads or writes registrations. Every change a merchant can see is written with
 * its `registration.updated` outbox event in one transaction: never one without the other.
 */
export function createRegistrationRepository(prisma: PrismaClient) {
  /** Runs a guarded write; when it changed the row, records the row's event in the same transaction. */
  async function changeAndReport(
    id: string,
    write: (tx: Prisma.TransactionClient) => Promise<boolean>,
  ): Promise<RegistrationRecord | null> {
    return prisma.$transaction(async (tx) => {
      if (!(await write(tx))) return null
      const row = await tx.registration.findUniqueOrThrow({ where: { id } })
      await recordWebhookEvent(tx, registrationUpdated(row), row.updatedAt)
      return row
    })
  }

  return {
    /**
     * The intent, written before Privy is called, so no outcome can go unrecorded. Its natural key
     * (one live registration per caller and person) is taken in the same transaction: when another
     * registration holds it, nothing is written and that registration's id comes back.
     */
    async createIntent(
      registration: NewRegistration,
      naturalKey: string,
      idempotencyKey?: IdempotencyKeyRef,
    ): Promise<{ created: RegistrationRecord } | { existingId: string }> {
      return prisma.$transaction(async (tx) => {
        const existingId = await claimNaturalKey(tx, naturalKey, 'registration', registration.id)
        if (existingId) return { existingId }
        const created = await tx.registration.create({ data: { ...registration, submission: 'in_flight' } })
        await bindIdempotencyKey(tx, idempotencyKey, created.id)
        return { created }
      })
    },

    /** The person may register again: this registration ended (failed, hard-rejected, given up). */
    async releaseNaturalKey(id: string): Promise<void> {
      await prisma.naturalKey.deleteMany({ where: { resourceId: id } })
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
      // way; the answer then says nothing newer and the row stays as it is.
      const row = await changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: ['in_flight', 'unknown'] } },
          data: { ...submitted, submission: 'submitted', lateAnswerUntil: null, workLockedUntil: null },
        })
        return count === 1
      })
      return row ?? prisma.registration.findUniqueOrThrow({ where: { id } })
    },

    /**
     * Privy surely does not hold it. Reported only when the row was `unknown` (the merchant was told
     * so); a row still in flight failed in front of its caller.
     */
    async markFailed(id: string, upstreamError: Prisma.InputJsonValue): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const before = await tx.registration.findUnique({ where: { id }, select: { submission: true } })
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: ['in_flight', 'unknown'] } },
          data: { submission: 'failed', upstreamError, lateAnswerUntil: null, endedAt: new Date() },
        })
        if (count === 0) return
        await tx.naturalKey.deleteMany({ where: { resourceId: id } })
        if (before?.submission === 'unknown') {
          const row = await tx.registration.findUniqueOrThrow({ where: { id } })
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

    /** A registration the caller may see: its own (or any, for operators), and not a failed attempt. */
    async findVisible(id: string, ownerId?: string): Promise<RegistrationRecord | null> {
      return prisma.registration.findFirst({
        where: { id, ...(ownerId ? { ownerId } : {}), submission: { not: 'failed' } },
      })
    },

    async listVisible(page: PageRequest): Promise<RegistrationRecord[]> {
      const { after } = page
      return prisma.registration.findMany({
        where: {
          ...(page.ownerId ? { ownerId: page.ownerId } : {}),
          submission: { not: 'failed' },
          ...(after
            ? {
                OR: [
                  { createdAt: { lt: after.createdAt } },
                  { createdAt: after.createdAt, id: { lt: after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
      })
    },

    /**
     * Applies an upstream status only if the row still has the status it was read with, so two
     * concurrent refreshes cannot interleave; returns null when another writer got there first.
     */
    async applyStatus(read: RegistrationRecord, next: UpstreamStatus): Promise<RegistrationRecord | null> {
      return changeAndReport(read.id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id: read.id, status: read.status, upstreamUpdatedAt: read.upstreamUpdatedAt },
          data: next,
        })
        if (count !== 1) return false
        // A hard reject ends the registration: the person may start a new one.
        if (next.status === 'rejected' && !next.canResend) {
          await tx.naturalKey.deleteMany({ where: { resourceId: read.id } })
        }
        if (next.status === 'verified' || (next.status === 'rejected' && !next.canResend)) {
          await tx.registration.updateMany({
            where: { id: read.id, endedAt: null },
            data: { endedAt: next.syncedAt },
          })
        }
        return true
      })
    },

    /**
     * A callback or read proved that a registration whose outcome was unknown exists at Privy:
     * it becomes an ordinary submitted registration with its register token.
     */
    async adoptSubmitted(
      id: string,
      adopted: { registerToken: string; registrationUrl?: string | null; status?: RegistrationStatus },
    ): Promise<RegistrationRecord | null> {
      return changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, submission: { in: ['unknown', 'in_flight'] } },
          data: { ...adopted, submission: 'submitted', lateAnswerUntil: null, workLockedUntil: null },
        })
        return count === 1
      })
    },

    /** A move the gateway itself caused (OTP validated, resend accepted), guarded like applyStatus. */
    async moveStatus(
      id: string,
      from: RegistrationStatus,
      to: RegistrationStatus,
      extra: {
        canResend?: boolean
        rejectCode?: null
        rejectReason?: null
        lateAnswerUntil?: null
      } & SealedIdentity = {},
      /** The snapshot the move was decided on: a newer one (a second rejection) wins. */
      snapshot?: { upstreamUpdatedAt: Date | null; rejectCode: string | null },
    ): Promise<boolean> {
      const row = await changeAndReport(id, async (tx) => {
        const { count } = await tx.registration.updateMany({
          where: { id, status: from, ...(snapshot ?? {}) },
          data: { status: to, ...extra },
        })
        return count === 1
      })
      return row !== null
    },

    /** Rows sealed under another key than the active one (key rotation), oldest first. */
    async findSealedUnderOtherKey(activeKeyId: string, limit: number) {
      return prisma.registration.findMany({
        where: { AND: [{ piiKeyId: { not: null } }, { piiKeyId: { not: activeKeyId } }], piiErasedAt: null },
        select: { id: true, piiKeyId: true, nikSealed: true, dobSealed: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      })
    },

    /** Stores re-sealed fields, only if no one re-sealed or erased the row meanwhile. */
    async reseal(
      id: string,
      fromKeyId: string,
      sealed: {
        nikSealed: Uint8Array<ArrayBuffer> | null
        dobSealed: Uint8Array<ArrayBuffer> | null
        piiKeyId: string
      },
    ): Promise<boolean> {
      const { count } = await prisma.registration.updateMany({
        where: { id, piiKeyId: fromKeyId, piiErasedAt: null },
        data: sealed,
      })
      return count === 1
    },

    /**
     * Erases the NIK and date of birth of registrations that ended (verified, hard-rejected or failed)
     * before `endedBefore`, and of those that never ended but began before `abandonedBefore` (a
     * soft reject never resent, an OTP never entered); ids, statuses and masked contacts stay.
     */
    async erasePiiOf(options: { endedBefore: Date; abandonedBefore: Date; now: Date }): Promise<number> {
      const { count } = await prisma.registration.updateMany({
        where: {
          piiErasedAt: null,
          OR: [
            { endedAt: { lt: options.endedBefore } },
            { endedAt: null, createdAt: { lt: options.abandonedBefore } },
          ],
        },
        data: { nikSealed: null, dobSealed: null, piiKeyId: null, nikLookup: null, piiErasedAt: options.now },
      })
      return count
    },

    /** Operators: every registration of the person with this NIK lookup hash. */
    async findByNikLookup(nikLookup: string): Promise<RegistrationRecord[]> {
      return prisma.registration.findMany({
        where: { nikLookup, submission: { not: 'failed' } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 100,
      })
    },

    /** An action on the registration (resend) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.registration.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    async touchSynced(id: string, syncedAt: Date): Promise<RegistrationRecord> {
      return prisma.registration.update({ where: { id }, data: { syncedAt } })
    },

    async findByReference(referenceNumber: string): Promise<RegistrationRecord | null> {
      return prisma.registration.findUnique({ where: { referenceNumber } })
    },

    /** A verified registration that can sign, by its id or by the privy_id Privy gave it. */
    async findVerifiedSigner(by: {
      id?: string
      privyId?: string
      ownerId?: string
    }): Promise<RegistrationRecord | null> {
      if (!by.id && !by.privyId) return null
      return prisma.registration.findFirst({
        where: {
          status: 'verified',
          privyId: by.privyId ?? { not: null },
          // By id, a user may only name their own registration; a privy_id is an account, not a record.
          ...(by.id ? { id: by.id, ...(by.ownerId ? { ownerId: by.ownerId } : {}) } : {}),
        },
        orderBy: { createdAt: 'desc' },
      })
    },

    /**
     * Leases registrations that have not moved for a while and are not settled (the poller), so that of
     * several instances exactly one re-checks each.
     */
    async leaseStale(options: WorkLease & { staleBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'registrations',
        staleCandidates(['pending', 'waiting_otp', 'waiting_verification'], options.staleBefore),
        Prisma.sql`synced_at NULLS FIRST`,
        options,
      )
      return prisma.registration.findMany({ where: { id: { in: ids } } })
    },

    /** Leases registrations whose create call has no known outcome (the reconciler). */
    async leaseUnsettled(options: WorkLease & { inFlightBefore: Date }) {
      const ids = await leaseWork(
        prisma,
        'registrations',
        unsettledCandidates(options.inFlightBefore, options.now),
        Prisma.sql`created_at`,
        options,
      )
      return prisma.registration.findMany({ where: { id: { in: ids } } })
    },

    async hasNaturalKey(id: string): Promise<boolean> {
      return (await prisma.naturalKey.count({ where: { resourceId: id } })) > 0
    },

    async findById(id: string): Promise<RegistrationRecord | null> {
      return prisma.registration.findUnique({ where: { id } })
    },
  }
}

export type RegistrationRepository = ReturnType<typeof createRegistrationRepository>
