import type { OtpStatus, OtpTransaction, Prisma, PrismaClient } from '../../generated/prisma/client.js'
import { bindIdempotencyKey, type IdempotencyKeyRef } from '../idempotency/idempotency.repository.js'

export type OtpRecord = OtpTransaction

export interface NewOtp {
  id: string
  createdAt: Date
  ownerId: string
  otpType: OtpRecord['otpType']
  otpChannel: OtpRecord['otpChannel']
  registrationId: string | null
  documentIds: string[]
  expiresAt: Date
  resendAvailableAt: Date
  requestCount: number
  maxRequests: number
  attemptsLeft: number
}

export interface OtpSend {
  expiresAt: Date
  resendAvailableAt: Date
  requestCount: number
  maxRequests: number
}

/** Where a live OTP would already exist: one registration, or documents of one signer. */
export type OtpTarget = { registrationId: string } | { ownerId: string; documentIds: string[] }

/** The only code that reads or writes OTP transactions. */
export function createOtpRepository(prisma: PrismaClient) {
  async function findLive(db: Prisma.TransactionClient, target: OtpTarget): Promise<OtpRecord | null> {
    const latest = await db.otpTransaction.findFirst({
      where: {
        status: { in: ['active', 'expired'] },
        submission: { not: 'failed' },
        ...('registrationId' in target
          ? { registrationId: target.registrationId }
          : {
              ownerId: target.ownerId,
              otpType: 'document_signing',
              documentIds: { hasSome: target.documentIds },
            }),
      },
      orderBy: { createdAt: 'desc' },
    })
    return latest && latest.requestCount < latest.maxRequests ? latest : null
  }

  return {
    /**
     * The intent of a send, written before Privy is called, unless a live OTP exists for the same
     * target. The target's rows are locked meanwhile, so two concurrent requests cannot both send.
     */
    async createIntent(
      otp: NewOtp,
      target: OtpTarget,
      idempotencyKey?: IdempotencyKeyRef,
    ): Promise<{ created: OtpRecord } | { live: OtpRecord }> {
      return prisma.$transaction(async (tx) => {
        if ('registrationId' in target) {
          await tx.$queryRaw`SELECT id FROM registrations WHERE id = ${target.registrationId}::uuid FOR UPDATE`
        } else {
          const ids = [...target.documentIds].sort()
          await tx.$queryRaw`SELECT id FROM documents WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`
        }
        const live = await findLive(tx, target)
        if (live) return { live }
        const created = await tx.otpTransaction.create({ data: { ...otp, submission: 'in_flight' } })
        await bindIdempotencyKey(tx, idempotencyKey, created.id)
        return { created }
      })
    },

    /** The newest live transaction of the target: sends left, not locked, not a failed send. */
    async findLive(target: OtpTarget): Promise<OtpRecord | null> {
      return findLive(prisma, target)
    },

    async markSent(id: string, upstreamTransactionId: string, send: OtpSend): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { ...send, upstreamTransactionId, submission: 'submitted', lateAnswerUntil: null },
      })
    },

    /** Privy may have sent it: a late answer may still bring its transaction id until `until`. */
    async markUnknown(id: string, lateAnswerUntil: Date | null): Promise<void> {
      await prisma.otpTransaction.updateMany({
        where: { id, submission: 'in_flight' },
        data: { submission: 'unknown', lateAnswerUntil },
      })
    },

    /** Privy surely did not send it: the row stops counting as live. */
    async markFailed(id: string): Promise<void> {
      await prisma.otpTransaction.updateMany({
        where: { id, submission: { in: ['in_flight', 'unknown'] } },
        data: { submission: 'failed', lateAnswerUntil: null },
      })
    },

    /**
     * Sends with no known outcome whose answer can no longer come: `in_flight` rows whose request died
     * with its instance, `unknown` rows past their late-answer window. Without Privy's transaction id
     * the code cannot be checked, so they stop counting as live (the reconciler).
     */
    async failLostSends(options: { inFlightBefore: Date; now: Date }): Promise<number> {
      const { count } = await prisma.otpTransaction.updateMany({
        where: {
          OR: [
            { submission: 'in_flight', createdAt: { lt: options.inFlightBefore } },
            {
              submission: 'unknown',
              OR: [{ lateAnswerUntil: null }, { lateAnswerUntil: { lt: options.now } }],
            },
          ],
        },
        data: { submission: 'failed', lateAnswerUntil: null },
      })
      return count
    },

    /** An action on the transaction (validate, resend) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.otpTransaction.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    async findVisible(id: string, ownerId?: string): Promise<OtpRecord | null> {
      return prisma.otpTransaction.findFirst({
        where: { id, submission: { not: 'failed' }, ...(ownerId ? { ownerId } : {}) },
      })
    },

    async recordSend(id: string, send: OtpSend): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { ...send, status: 'active', lateAnswerUntil: null },
      })
    },

    async setStatus(id: string, status: OtpStatus, attemptsLeft?: number): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { status, lateAnswerUntil: null, ...(attemptsLeft === undefined ? {} : { attemptsLeft }) },
      })
    },

    async recordWrongCode(id: string, attemptsLeft: number): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { attemptsLeft, ...(attemptsLeft <= 0 ? { status: 'locked' } : {}) },
      })
    },
  }
}

export type OtpRepository = ReturnType<typeof createOtpRepository>
