import type {
  Prisma,
  PrismaClient,
  Registration,
  RegistrationStatus,
  RegistrationType,
} from '../../generated/prisma/client.js'

export type RegistrationRecord = Registration

export interface NewRegistration {
  id: string
  ownerId: string
  referenceNumber: string
  registrationType: RegistrationType
  status: RegistrationStatus
  emailMasked: string
  phoneMasked: string
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

/** The only code that reads or writes registrations. */
export function createRegistrationRepository(prisma: PrismaClient) {
  return {
    /** The intent, written before Privy is called, so no outcome can go unrecorded. */
    async createIntent(registration: NewRegistration): Promise<RegistrationRecord> {
      return prisma.registration.create({ data: { ...registration, submission: 'in_flight' } })
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
      return prisma.registration.update({ where: { id }, data: { ...submitted, submission: 'submitted' } })
    },

    async markFailed(id: string, upstreamError: Prisma.InputJsonValue): Promise<void> {
      await prisma.registration.update({ where: { id }, data: { submission: 'failed', upstreamError } })
    },

    async markUnknown(id: string, upstreamError: Prisma.InputJsonValue): Promise<void> {
      await prisma.registration.update({ where: { id }, data: { submission: 'unknown', upstreamError } })
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
      const { count } = await prisma.registration.updateMany({
        where: { id: read.id, status: read.status, upstreamUpdatedAt: read.upstreamUpdatedAt },
        data: next,
      })
      return count === 1 ? prisma.registration.findUnique({ where: { id: read.id } }) : null
    },

    /**
     * A callback or read proved that a registration whose outcome was unknown exists at Privy:
     * it becomes an ordinary submitted registration with its register token.
     */
    async adoptSubmitted(id: string, registerToken: string): Promise<RegistrationRecord | null> {
      const { count } = await prisma.registration.updateMany({
        where: { id, submission: { in: ['unknown', 'in_flight'] } },
        data: { submission: 'submitted', registerToken },
      })
      return count === 1 ? prisma.registration.findUnique({ where: { id } }) : null
    },

    /** A move the gateway itself caused (OTP validated, resend accepted), guarded like applyStatus. */
    async moveStatus(
      id: string,
      from: RegistrationStatus,
      to: RegistrationStatus,
      extra: { canResend?: boolean; rejectCode?: null; rejectReason?: null } = {},
    ): Promise<boolean> {
      const { count } = await prisma.registration.updateMany({
        where: { id, status: from },
        data: { status: to, ...extra },
      })
      return count === 1
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

    async findById(id: string): Promise<RegistrationRecord | null> {
      return prisma.registration.findUnique({ where: { id } })
    },
  }
}

export type RegistrationRepository = ReturnType<typeof createRegistrationRepository>
