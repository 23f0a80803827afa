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

/** Rows to records, tokens to sealed columns, and guarded writes reported to the outbox. */
export function documentRecords(prisma: PrismaClient, pii: PiiCipher) {
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
