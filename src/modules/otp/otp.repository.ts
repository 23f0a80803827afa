import type { OtpStatus, OtpTransaction, PrismaClient } from '../../generated/prisma/client.js'

export type OtpRecord = OtpTransaction

export interface NewOtp {
  id: string
  ownerId: string
  otpType: OtpRecord['otpType']
  otpChannel: OtpRecord['otpChannel']
  registrationId: string | null
  documentIds: string[]
  upstreamTransactionId: string
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

/** The only code that reads or writes OTP transactions. */
export function createOtpRepository(prisma: PrismaClient) {
  return {
    async create(otp: NewOtp): Promise<OtpRecord> {
      return prisma.otpTransaction.create({ data: otp })
    },

    /** The newest transaction of a registration that still has sends left and is not locked. */
    async findResendable(registrationId: string): Promise<OtpRecord | null> {
      const latest = await prisma.otpTransaction.findFirst({
        where: { registrationId, status: { in: ['active', 'expired'] } },
        orderBy: { createdAt: 'desc' },
      })
      return latest && latest.requestCount < latest.maxRequests ? latest : null
    },

    /** A signing OTP of this owner that covers any of these documents and can still be resent. */
    async findResendableForDocuments(ownerId: string, documentIds: string[]): Promise<OtpRecord | null> {
      const latest = await prisma.otpTransaction.findFirst({
        where: {
          ownerId,
          otpType: 'document_signing',
          status: { in: ['active', 'expired'] },
          documentIds: { hasSome: documentIds },
        },
        orderBy: { createdAt: 'desc' },
      })
      return latest && latest.requestCount < latest.maxRequests ? latest : null
    },

    async findVisible(id: string, ownerId?: string): Promise<OtpRecord | null> {
      return prisma.otpTransaction.findFirst({ where: { id, ...(ownerId ? { ownerId } : {}) } })
    },

    async recordSend(id: string, send: OtpSend): Promise<OtpRecord> {
      return prisma.otpTransaction.update({ where: { id }, data: { ...send, status: 'active' } })
    },

    async setStatus(id: string, status: OtpStatus, attemptsLeft?: number): Promise<OtpRecord> {
      return prisma.otpTransaction.update({
        where: { id },
        data: { status, ...(attemptsLeft === undefined ? {} : { attemptsLeft }) },
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
