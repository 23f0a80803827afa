import { bytesOf, type RawSql } from '../../db/raw-sql.js'
import type { Prisma, PrismaClient, Registration, SubmissionState } from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { openPrivyToken, sealPrivyToken, withLazyToken } from '../../lib/privy-tokens.js'
import { recordWebhookEvent } from '../webhooks/index.js'
import { registrationUpdated } from './registration.events.js'
import type { RegistrationRecord } from './registration.types.js'

/** Submission states that a later proof (an answer, a callback) may still settle. */
export const UNSETTLED: SubmissionState[] = ['in_flight', 'unknown', 'unresolved']

/** Every column, named as the Prisma model names it, in its order. */
const COLUMNS = `id, owner_id AS "ownerId", reference_number AS "referenceNumber",
  registration_type AS "registrationType", status, submission, email_masked AS "emailMasked",
  phone_masked AS "phoneMasked", phone_lookup AS "phoneLookup",
  register_token_sealed AS "registerTokenSealed", token_key_id AS "tokenKeyId",
  registration_url AS "registrationUrl", privy_id AS "privyId", reject_code AS "rejectCode",
  reject_reason AS "rejectReason", can_resend AS "canResend", upstream_error AS "upstreamError",
  synced_at AS "syncedAt", upstream_updated_at AS "upstreamUpdatedAt", nik_sealed AS "nikSealed",
  dob_sealed AS "dobSealed", pii_key_id AS "piiKeyId", phone_prefix_lookup AS "phonePrefixLookup",
  email_lookup AS "emailLookup", nik_lookup AS "nikLookup", pii_erased_at AS "piiErasedAt",
  ended_at AS "endedAt", late_answer_until AS "lateAnswerUntil",
  work_locked_until AS "workLockedUntil", created_at AS "createdAt", updated_at AS "updatedAt"`

/**
 * The status read (findVisible's query) as the repository's own SQL: any row, or (`$2`) the
 * caller's own; never a failed attempt. Named, so each connection plans it once.
 */
const VISIBLE = `SELECT ${COLUMNS} FROM registrations WHERE id = $1 AND submission <> 'failed'`
const VISIBLE_ANY = { name: 'registration_visible', text: VISIBLE }
const VISIBLE_OWNED = { name: 'registration_visible_owned', text: `${VISIBLE} AND owner_id = $2` }

/** A row as the driver gives it: bytes are pg's Buffers (PGlite's Uint8Arrays), not yet Prisma's. */
type DriverRow = Registration

/** Rows to records, tokens to sealed columns, and guarded writes reported to the outbox. */
export function registrationRecords(prisma: PrismaClient, pii: PiiCipher, raw: RawSql) {
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

    /** findVisible past Prisma: one named statement, the same record as Prisma's row gives. */
    async findVisible(id: string, ownerId?: string): Promise<RegistrationRecord | null> {
      const [row] = await raw.rows<DriverRow>(
        ownerId ? { ...VISIBLE_OWNED, values: [id, ownerId] } : { ...VISIBLE_ANY, values: [id] },
      )
      if (!row) return null
      row.registerTokenSealed = bytesOf(row.registerTokenSealed)
      row.nikSealed = bytesOf(row.nikSealed)
      row.dobSealed = bytesOf(row.dobSealed)
      return toRecord(row)
    },

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
