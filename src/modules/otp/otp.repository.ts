import type {
  OtpChannel,
  OtpStatus,
  OtpTransaction,
  Prisma,
  PrismaClient,
} from '../../generated/prisma/client.js'
import {
  bindIdempotencyKey,
  type IdempotencyKeyRef,
  keyTakingTransaction,
  takeIdempotencyKey,
  unbindTakenKey,
} from '../idempotency/index.js'

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

/**
 * Where a live OTP would already exist: one registration, or documents of one signer, on one channel.
 * Each channel has its own: an SMS that never arrives must not stop the fallback to email.
 */
export type OtpTarget = { channel: OtpChannel } & (
  | { registrationId: string }
  | { ownerId: string; documentIds: string[] }
)

/** The only code that reads or writes OTP transactions. */
export function createOtpRepository(prisma: PrismaClient) {
  async function findLive(db: Prisma.TransactionClient, target: OtpTarget): Promise<OtpRecord | null> {
    const latest = await db.otpTransaction.findFirst({
      where: {
        status: { in: ['active', 'expired'] },
        submission: { not: 'failed' },
        otpChannel: target.channel,
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
     * `charge` (the abuse limits) runs in the same transaction once no live OTP was found: a request
     * answered with the live one is not counted, and a refused charge (it throws) writes nothing.
     */
    async createIntent<C>(
      otp: NewOtp,
      target: OtpTarget,
      idempotencyKey: IdempotencyKeyRef | undefined,
      charge: (db: Prisma.TransactionClient) => Promise<C>,
    ): Promise<{ created: OtpRecord; charged: C } | { live: OtpRecord }> {
      return keyTakingTransaction(prisma, idempotencyKey, async (tx) => {
        // The Idempotency-Key first: a concurrent request with it stops before the lock and the limits.
        await takeIdempotencyKey(tx, idempotencyKey, otp.id)
        if ('registrationId' in target) {
          await tx.$queryRaw`SELECT id FROM registrations WHERE id = ${target.registrationId}::uuid FOR UPDATE`
        } else {
          const ids = [...target.documentIds].sort()
          await tx.$queryRaw`SELECT id FROM documents WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`
        }
        const live = await findLive(tx, target)
        if (live) {
          await unbindTakenKey(tx, idempotencyKey)
          return { live }
        }
        const charged = await charge(tx)
        const created = await tx.otpTransaction.create({ data: { ...otp, submission: 'in_flight' } })
        await bindIdempotencyKey(tx, idempotencyKey, created.id)
        return { created, charged }
      })
    },

    async markSent(id: string, upstreamTransactionId: string, send: OtpSend): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { ...send, upstreamTransactionId, submission: 'submitted', lateAnswerUntil: null },
      })
    },

    /**
     * Privy's answer after the caller was told "unknown": it settles the send, unless the row was
     * settled meanwhile (never revives a send that was given up).
     */
    async adoptLateSend(id: string, upstreamTransactionId: string, send: OtpSend): Promise<void> {
      await prisma.otpTransaction.updateMany({
        where: { id, submission: { in: ['in_flight', 'unknown'] } },
        data: { ...send, upstreamTransactionId, submission: 'submitted', lateAnswerUntil: null },
      })
    },

    /**
     * Privy may have sent it: a late answer may still bring its transaction id until `lateAnswerUntil`.
     * Without that id the code cannot be checked, but it may still arrive: the row blocks another send
     * to the same target until `voidAt`, when that code would have expired (kept as `expiresAt`).
     */
    async markUnknown(id: string, lateAnswerUntil: Date | null, voidAt: Date): Promise<void> {
      await prisma.otpTransaction.updateMany({
        where: { id, submission: 'in_flight' },
        data: { submission: 'unknown', lateAnswerUntil, expiresAt: voidAt },
      })
    },

    /** Privy surely did not send it, or what it sent has expired: the row stops counting as live. */
    async markFailed(id: string): Promise<void> {
      await prisma.otpTransaction.updateMany({
        where: { id, submission: { in: ['in_flight', 'unknown'] } },
        data: { submission: 'failed', lateAnswerUntil: null },
      })
    },

    /**
     * The reconciler's part. Sends whose request died with its instance (`in_flight` past the request
     * budget) become `unknown`; sends with no transaction id whose answer can no longer come and whose
     * code would have expired (`expiresAt`, the void time) become `failed`, and stop blocking a new send.
     * Returns how many were freed.
     */
    async failLostSends(options: { inFlightBefore: Date; now: Date }): Promise<number> {
      await prisma.otpTransaction.updateMany({
        where: { submission: 'in_flight', createdAt: { lt: options.inFlightBefore } },
        data: { submission: 'unknown', lateAnswerUntil: null },
      })
      const { count } = await prisma.otpTransaction.updateMany({
        where: {
          submission: 'unknown',
          upstreamTransactionId: null,
          expiresAt: { lte: options.now },
          OR: [{ lateAnswerUntil: null }, { lateAnswerUntil: { lte: options.now } }],
        },
        data: { submission: 'failed', lateAnswerUntil: null },
      })
      return count
    },

    /** An action on the transaction (validate, resend) whose answer may still come until `until`. */
    async awaitLateAnswer(id: string, until: Date | null): Promise<void> {
      await prisma.otpTransaction.update({ where: { id }, data: { lateAnswerUntil: until } })
    },

    /**
     * Takes the right to resend, atomically: only one caller (of any instance) gets it while a resend
     * is allowed (sends left, the wait after the last one over, no call on the transaction awaiting
     * its answer). It holds the transaction until `holdUntil` (as an awaited answer) and moves the
     * next resend to `resendAvailableAt`; `charge` (the abuse limits) runs in the same transaction.
     * Null when another caller has it or it is no longer allowed.
     */
    async claimResend<C>(
      id: string,
      claim: { now: Date; holdUntil: Date; resendAvailableAt: Date },
      charge: (db: Prisma.TransactionClient) => Promise<C>,
    ): Promise<{ charged: C } | null> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.otpTransaction.updateMany({
          where: {
            id,
            submission: 'submitted',
            status: { in: ['active', 'expired'] },
            upstreamTransactionId: { not: null },
            OR: [{ lateAnswerUntil: null }, { lateAnswerUntil: { lte: claim.now } }],
            resendAvailableAt: { lte: claim.now },
            requestCount: { lt: tx.otpTransaction.fields.maxRequests },
          },
          data: { lateAnswerUntil: claim.holdUntil, resendAvailableAt: claim.resendAvailableAt },
        })
        if (count === 0) return null
        return { charged: await charge(tx) }
      })
    },

    /** Privy refused the resend (nothing was sent): the hold ends, the next resend is as before. */
    async releaseResend(id: string, resendAvailableAt: Date): Promise<void> {
      await prisma.otpTransaction.update({
        where: { id },
        data: { lateAnswerUntil: null, resendAvailableAt },
      })
    },

    async findVisible(id: string, ownerId?: string): Promise<OtpRecord | null> {
      return prisma.otpTransaction.findFirst({
        where: { id, submission: { not: 'failed' }, ...(ownerId ? { ownerId } : {}) },
      })
    },

    /** A send on the transaction (a resend); its answer may still come until `lateAnswerUntil`. */
    async recordSend(id: string, send: OtpSend, lateAnswerUntil: Date | null = null): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { ...send, status: 'active', lateAnswerUntil },
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
