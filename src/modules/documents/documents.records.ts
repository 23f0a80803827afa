import { bytesOf, type RawSql } from '../../db/raw-sql.js'
import type {
  Document,
  DocumentSigner,
  Prisma,
  PrismaClient,
  SubmissionState,
} from '../../generated/prisma/client.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { openPrivyToken, sealPrivyToken, withLazyToken } from '../../lib/privy-tokens.js'
import { recordWebhookEvent } from '../webhooks/index.js'
import { documentUpdated } from './documents.events.js'
import type { DocumentRecord } from './documents.types.js'

export const withSigners = { signers: { orderBy: { position: 'asc' } } } as const

/** Submission states that a later proof (an answer, a callback) may still settle. */
export const UNSETTLED: SubmissionState[] = ['in_flight', 'unknown', 'unresolved']

type DocumentRow = Document & { signers: DocumentSigner[] }

/**
 * The status read (findVisible's query) as the repository's own SQL: the document and its signers
 * (by position, as `withSigners`) in one statement and one round trip, where Prisma's include
 * takes two. Any row, or (`$2`) one the caller uploaded or signs (documents.lists.ts `visibleTo`);
 * never a failed upload. Named, so each connection plans it once. Columns as Prisma names them.
 */
const VISIBLE = `SELECT d.id, d.owner_id AS "ownerId", d.reference_number AS "referenceNumber", d.title,
  d.process, d.sign_process AS "signProcess", d.visibility, d.status, d.submission,
  d.document_token_sealed AS "documentTokenSealed", d.token_key_id AS "tokenKeyId",
  d.signing_url AS "signingUrl", d.sha256, d.size_bytes AS "sizeBytes", d.page_count AS "pageCount",
  d.e_meterai AS "eMeterai", d.template_id AS "templateId", d.template_version AS "templateVersion",
  d.signed_sha256 AS "signedSha256", d.upstream_error AS "upstreamError",
  d.upstream_updated_at AS "upstreamUpdatedAt", d.synced_at AS "syncedAt", d.revoked_at AS "revokedAt",
  d.late_answer_until AS "lateAnswerUntil", d.work_locked_until AS "workLockedUntil",
  d.created_at AS "createdAt", d.updated_at AS "updatedAt",
  COALESCE((SELECT json_agg(json_build_object('id', s.id, 'documentId', s.document_id,
      'position', s.position, 'privyId', s.privy_id, 'registrationId', s.registration_id,
      'userOwnerId', s.user_owner_id, 'role', s.role, 'status', s.status, 'signedAt', s.signed_at,
      'placements', s.placements) ORDER BY s.position)
    FROM document_signers s WHERE s.document_id = d.id), '[]') AS signers
  FROM documents d WHERE d.id = $1 AND d.submission <> 'failed'`
const VISIBLE_ANY = { name: 'document_visible', text: VISIBLE }
const VISIBLE_TO = {
  name: 'document_visible_to',
  text: `${VISIBLE} AND (d.owner_id = $2
    OR EXISTS (SELECT 1 FROM document_signers v WHERE v.document_id = d.id AND v.user_owner_id = $2))`,
}

/** A signer inside the statement's JSON: its timestamp still a string. */
type JsonSigner = Omit<DocumentSigner, 'signedAt'> & { signedAt: string | null }

/** Rows to records, tokens to sealed columns, and guarded writes reported to the outbox. */
export function documentRecords(prisma: PrismaClient, pii: PiiCipher, raw: RawSql) {
  function toRecord(row: DocumentRow): DocumentRecord {
    const { documentTokenSealed, tokenKeyId, ...record } = row
    return withLazyToken(record, 'documentToken', () =>
      documentTokenSealed && tokenKeyId
        ? openPrivyToken(pii, 'document_token', row.id, { sealed: documentTokenSealed, keyId: tokenKeyId })
        : null,
    )
  }

  return {
    toRecord,
    toRecords: (rows: DocumentRow[]) => rows.map(toRecord),
    orNull: (row: DocumentRow | null) => (row ? toRecord(row) : null),

    /** findVisible past Prisma: one named statement, the same record as Prisma's rows give. */
    async findVisible(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      const [row] = await raw.rows<Omit<DocumentRow, 'signers'> & { signers: JsonSigner[] }>(
        ownerId ? { ...VISIBLE_TO, values: [id, ownerId] } : { ...VISIBLE_ANY, values: [id] },
      )
      if (!row) return null
      const signers = row.signers.map((signer) => ({
        ...signer,
        signedAt: signer.signedAt === null ? null : new Date(signer.signedAt),
      }))
      return toRecord({ ...row, documentTokenSealed: bytesOf(row.documentTokenSealed), signers })
    },

    /** The columns that keep `documentToken` of row `id`, sealed under the active key. */
    sealedToken(id: string, documentToken: string) {
      const { sealed, keyId } = sealPrivyToken(pii, 'document_token', id, documentToken)
      return { documentTokenSealed: sealed, tokenKeyId: keyId }
    },

    /** Runs a guarded write; when it changed the row, records the row's event in the same transaction. */
    async changeAndReport(
      id: string,
      write: (tx: Prisma.TransactionClient) => Promise<boolean>,
    ): Promise<DocumentRecord | null> {
      return prisma.$transaction(async (tx) => {
        if (!(await write(tx))) return null
        const row = toRecord(await tx.document.findUniqueOrThrow({ where: { id }, include: withSigners }))
        await recordWebhookEvent(tx, documentUpdated(row), row.updatedAt)
        return row
      })
    },
  }
}

export type DocumentRecords = ReturnType<typeof documentRecords>

export type { DocumentRecord }
