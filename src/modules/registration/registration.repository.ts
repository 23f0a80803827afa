import type { RawSql } from '../../db/raw-sql.js'
import { leaseWork, staleCandidates, type WorkLease } from '../../db/work-lease.js'
import { Prisma, type PrismaClient, type RegistrationStatus } from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { withLazyToken } from '../../lib/privy-tokens.js'
import { createdWithin } from '../list-filters.js'
import { registrationOutcomes } from './registration.outcomes.js'
import type { SealedIdentity } from './registration.pii.js'
import { registrationProtection } from './registration.protection.js'
import { registrationRecords } from './registration.records.js'
import type { PageRequest, RegistrationRecord, UpstreamStatus } from './registration.types.js'

export type {
  NewRegistration,
  PageRequest,
  RegistrationRecord,
  UpstreamStatus,
} from './registration.types.js'

const TOUCH_SYNCED = {
  name: 'registration_touch_synced',
  text: 'UPDATE registrations SET synced_at = $2, updated_at = $3 WHERE id = $1 AND updated_at = $4',
}

/**
 * The only code that reads or writes registrations. Every change a merchant can see is written with
 * its `registration.updated` outbox event in one transaction: never one without the other.
 */
export function createRegistrationRepository(prisma: PrismaClient, pii: PiiCipher, raw: RawSql) {
  const records = registrationRecords(prisma, pii, raw)
  const { toRecord, toRecords, orNull, changeAndReport } = records

  return {
    ...registrationOutcomes(prisma, records),
    ...registrationProtection(prisma, pii, records),

    /**
     * A registration the caller may see: its own (or any, for operators), and not a failed attempt.
     * The status read, so its own SQL (registration.records.ts), not Prisma's model query.
     */
    findVisible: records.findVisible,

    /** Whether a registration OTP of it can still be validated: its `next_action` depends on it. */
    async hasLiveOtp(id: string, now: Date): Promise<boolean> {
      const live = await prisma.otpTransaction.count({
        where: { registrationId: id, otpType: 'registration', status: 'active', expiresAt: { gt: now } },
      })
      return live > 0
    },

    async listVisible(page: PageRequest): Promise<RegistrationRecord[]> {
      const { after } = page
      const rows = await prisma.registration.findMany({
        where: {
          // A user's own rows; an operator's `owner` filter: for registrations both are the creator.
          ...(page.viewer ? { ownerId: page.viewer } : page.owner ? { ownerId: page.owner } : {}),
          ...createdWithin(page),
          ...(page.status ? { status: page.status } : {}),
          ...(page.registrationType ? { registrationType: page.registrationType } : {}),
          submission: page.submission ?? { not: 'failed' },
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
      return toRecords(rows)
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

    /** An action on the registration (resend) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.registration.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    /**
     * The heartbeat of a read that changed nothing: one named UPDATE, no RETURNING. Guarded by the
     * row's `updated_at` as read, so when nothing else wrote meanwhile the record read plus the new
     * times is the row, exactly; when something did, the row is read again.
     */
    async touchSynced(read: RegistrationRecord, syncedAt: Date): Promise<RegistrationRecord> {
      // By the wall clock, as Prisma's @updatedAt: `syncedAt` is the service's clock.
      const updatedAt = new Date()
      const touched = await raw.execute({
        ...TOUCH_SYNCED,
        values: [read.id, syncedAt, updatedAt, read.updatedAt],
      })
      if (touched === 1) {
        const { registerToken } = read
        return withLazyToken({ ...read, syncedAt, updatedAt }, 'registerToken', () => registerToken)
      }
      return toRecord(await prisma.registration.update({ where: { id: read.id }, data: { syncedAt } }))
    },

    async findByReference(referenceNumber: string): Promise<RegistrationRecord | null> {
      return orNull(await prisma.registration.findUnique({ where: { referenceNumber } }))
    },

    /** A verified registration that can sign, by its id or by the privy_id Privy gave it. */
    async findVerifiedSigner(by: {
      id?: string
      privyId?: string
      ownerId?: string
    }): Promise<RegistrationRecord | null> {
      if (!by.id && !by.privyId) return null
      const row = await prisma.registration.findFirst({
        where: {
          status: 'verified',
          privyId: by.privyId ?? { not: null },
          // By id, a user may only name their own registration; a privy_id is an account, not a record.
          ...(by.id ? { id: by.id, ...(by.ownerId ? { ownerId: by.ownerId } : {}) } : {}),
        },
        orderBy: { createdAt: 'desc' },
      })
      return orNull(row)
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
      return toRecords(await prisma.registration.findMany({ where: { id: { in: ids } } }))
    },

    async findById(id: string): Promise<RegistrationRecord | null> {
      return orNull(await prisma.registration.findUnique({ where: { id } }))
    },
  }
}

export type RegistrationRepository = ReturnType<typeof createRegistrationRepository>
