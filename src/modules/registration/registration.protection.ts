import type { PrismaClient } from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { openPrivyToken } from '../../lib/privy-tokens.js'
import type { RegistrationRecord, RegistrationRecords } from './registration.records.js'

/**
 * What is kept sealed, and for how long: key rotation of the NIK, date of birth and register token,
 * the retention erasure, and the operators' lookup by NIK.
 */
export function registrationProtection(prisma: PrismaClient, pii: PiiCipher, records: RegistrationRecords) {
  return {
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

    /** Register tokens sealed under another key than the active one, oldest first, opened. */
    async findTokensUnderOtherKey(activeKeyId: string, limit: number) {
      const rows = await prisma.registration.findMany({
        where: { AND: [{ tokenKeyId: { not: null } }, { tokenKeyId: { not: activeKeyId } }] },
        select: { id: true, tokenKeyId: true, registerTokenSealed: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      })
      return rows.flatMap(({ id, tokenKeyId, registerTokenSealed }) =>
        tokenKeyId && registerTokenSealed
          ? [
              {
                id,
                keyId: tokenKeyId,
                token: openPrivyToken(pii, 'register_token', id, {
                  sealed: registerTokenSealed,
                  keyId: tokenKeyId,
                }),
              },
            ]
          : [],
      )
    },

    /** Seals the token again under the active key, only if no one re-sealed it meanwhile. */
    async resealToken(id: string, fromKeyId: string, token: string): Promise<boolean> {
      const { count } = await prisma.registration.updateMany({
        where: { id, tokenKeyId: fromKeyId },
        data: records.sealedToken(id, token),
      })
      return count === 1
    },

    /**
     * Erases the NIK and date of birth of registrations that ended (verified, hard-rejected or failed)
     * before `endedBefore`, and of those that never ended but began before `abandonedBefore` (a
     * soft reject never resent, an OTP never entered); ids, statuses, masked contacts and the sealed
     * register token (status reads need it) stay.
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
      const rows = await prisma.registration.findMany({
        where: { nikLookup, submission: { not: 'failed' } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 100,
      })
      return records.toRecords(rows)
    },
  }
}
