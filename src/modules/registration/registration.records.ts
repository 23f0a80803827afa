import type { Prisma, PrismaClient, Registration, SubmissionState } from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { openPrivyToken, sealPrivyToken, withLazyToken } from '../../lib/privy-tokens.js'
import { recordWebhookEvent } from '../webhooks/index.js'
import { registrationUpdated } from './registration.events.js'
import type { RegistrationRecord } from './registration.types.js'

/** Submission states that a later proof (an answer, a callback) may still settle. */
export const UNSETTLED: SubmissionState[] = ['in_flight', 'unknown', 'unresolved']

/** Rows to records, tokens to sealed columns, and guarded writes reported to the outbox. */
export function registrationRecords(prisma: PrismaClient, pii: PiiCipher) {
  function toRecord(row: Registration): RegistrationRecord {
    const { registerTokenSealed, tokenKeyId, ...record } = row
    return withLazyToken(record, 'registerToken', () =>
      registerTokenSealed && tokenKeyId
        ? openPrivyToken(pii, 'register_token', row.id, { sealed: registerTokenSealed, keyId: tokenKeyId })
        : null,
    )
  }

  return {
    toRecord,
    toRecords: (rows: Registration[]) => rows.map(toRecord),
    orNull: (row: Registration | null) => (row ? toRecord(row) : null),

    /** The columns that keep `registerToken` of row `id`, sealed under the active key. */
    sealedToken(id: string, registerToken: string) {
      const { sealed, keyId } = sealPrivyToken(pii, 'register_token', id, registerToken)
      return { registerTokenSealed: sealed, tokenKeyId: keyId }
    },

    /** Runs a guarded write; when it changed the row, records the row's event in the same transaction. */
    async changeAndReport(
      id: string,
      write: (tx: Prisma.TransactionClient) => Promise<boolean>,
    ): Promise<RegistrationRecord | null> {
      return prisma.$transaction(async (tx) => {
        if (!(await write(tx))) return null
        const row = toRecord(await tx.registration.findUniqueOrThrow({ where: { id } }))
        await recordWebhookEvent(tx, registrationUpdated(row), row.updatedAt)
        return row
      })
    },
  }
}

export type RegistrationRecords = ReturnType<typeof registrationRecords>

export type { RegistrationRecord }
