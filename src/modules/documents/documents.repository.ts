import { randomUUID } from 'node:crypto'
import type {
  Document,
  DocumentEvent,
  DocumentSigner,
  DocumentStatus,
  Prisma,
  PrismaClient,
} from '../../generated/prisma/client.js'

export type DocumentRecord = Document & { signers: DocumentSigner[] }
export type DocumentEventRecord = DocumentEvent

export interface NewDocument {
  document: Omit<Prisma.DocumentUncheckedCreateInput, 'signers' | 'events'>
  signers: Array<Omit<Prisma.DocumentSignerUncheckedCreateInput, 'documentId'>>
}

const withSigners = { signers: { orderBy: { position: 'asc' } } } as const

/** Who may read a document: its uploader, a signer the gateway knows, or (no filter) an operator. */
function visibleTo(ownerId?: string): Prisma.DocumentWhereInput {
  return ownerId ? { OR: [{ ownerId }, { signers: { some: { userOwnerId: ownerId } } }] } : {}
}

/** The only code that reads or writes documents, their signers and their events. */
export function createDocumentRepository(prisma: PrismaClient) {
  return {
    async createIntent({ document, signers }: NewDocument): Promise<DocumentRecord> {
      return prisma.document.create({
        data: {
          ...document,
          submission: 'in_flight',
          signers: { create: signers },
          events: {
            create: { id: randomUUID(), type: 'received', detail: 'PDF received and checked by the gateway' },
          },
        },
        include: withSigners,
      })
    },

    async markSubmitted(
      id: string,
      submitted: { documentToken: string; signingUrl: string; status: DocumentStatus; syncedAt: Date },
    ): Promise<DocumentRecord> {
      return prisma.document.update({
        where: { id },
        data: {
          ...submitted,
          submission: 'submitted',
          events: {
            create: { id: randomUUID(), type: 'sent_to_privy', detail: 'Uploaded to Privy for signing' },
          },
        },
        include: withSigners,
      })
    },

    async adoptSubmitted(
      id: string,
      documentToken: string,
      signingUrl: string | null,
    ): Promise<DocumentRecord | null> {
      const { count } = await prisma.document.updateMany({
        where: { id, submission: { in: ['unknown', 'in_flight'] } },
        data: { submission: 'submitted', documentToken, signingUrl },
      })
      return count === 1 ? prisma.document.findUnique({ where: { id }, include: withSigners }) : null
    },

    async markOutcome(id: string, submission: 'failed' | 'unknown', upstreamError: Prisma.InputJsonValue) {
      await prisma.document.update({ where: { id }, data: { submission, upstreamError } })
    },

    async findVisible(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      return prisma.document.findFirst({
        where: { id, submission: { not: 'failed' }, ...visibleTo(ownerId) },
        include: withSigners,
      })
    },

    /** Documents the caller uploaded (never another user's), for revoke. */
    async findOwned(id: string, ownerId?: string): Promise<DocumentRecord | null> {
      return prisma.document.findFirst({
        where: { id, submission: { not: 'failed' }, ...(ownerId ? { ownerId } : {}) },
        include: withSigners,
      })
    },

    async findByReference(referenceNumber: string): Promise<DocumentRecord | null> {
      return prisma.document.findUnique({ where: { referenceNumber }, include: withSigners })
    },

    async listVisible(page: { ownerId?: string; limit: number; after?: { createdAt: Date; id: string } }) {
      const { after } = page
      return prisma.document.findMany({
        where: {
          AND: [
            visibleTo(page.ownerId),
            { submission: { not: 'failed' } },
            after
              ? {
                  OR: [
                    { createdAt: { lt: after.createdAt } },
                    { createdAt: after.createdAt, id: { lt: after.id } },
                  ],
                }
              : {},
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        include: withSigners,
      })
    },

    /** Applies a status read guarded by the status it was read with; null when someone else moved it. */
    async applyStatus(
      read: DocumentRecord,
      next: { status: DocumentStatus; eMeterai?: Prisma.InputJsonValue; syncedAt: Date; revokedAt?: Date },
      signed: Array<{ id: string; signedAt: Date }>,
      event?: { type: string; detail: string },
    ): Promise<DocumentRecord | null> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.document.updateMany({
          where: { id: read.id, status: read.status },
          data: next,
        })
        if (count !== 1) return null
        for (const signer of signed) {
          await tx.documentSigner.updateMany({
            where: { id: signer.id, status: 'waiting' },
            data: { status: 'signed', signedAt: signer.signedAt },
          })
        }
        if (event)
          await tx.documentEvent.create({ data: { id: randomUUID(), documentId: read.id, ...event } })
        return tx.document.findUnique({ where: { id: read.id }, include: withSigners })
      })
    },

    async touchSynced(id: string, syncedAt: Date): Promise<void> {
      await prisma.document.update({ where: { id }, data: { syncedAt } })
    },

    async recordSignedPdf(id: string, signedSha256: string): Promise<void> {
      await prisma.document.update({
        where: { id },
        data: {
          signedSha256,
          events: {
            create: {
              id: randomUUID(),
              type: 'signed_pdf_stored',
              detail: 'Signed PDF fetched from Privy and kept',
            },
          },
        },
      })
    },

    async addEvent(documentId: string, type: string, detail: string): Promise<void> {
      await prisma.documentEvent.create({ data: { id: randomUUID(), documentId, type, detail } })
    },

    async events(documentId: string): Promise<DocumentEventRecord[]> {
      return prisma.documentEvent.findMany({ where: { documentId }, orderBy: { createdAt: 'asc' } })
    },

    /** Signers the calling user acts as, on the given documents. */
    async signerSeats(documentIds: string[], userOwnerId: string): Promise<DocumentRecord[]> {
      return prisma.document.findMany({
        where: { id: { in: documentIds }, submission: 'submitted', signers: { some: { userOwnerId } } },
        include: withSigners,
      })
    },
  }
}

export type DocumentRepository = ReturnType<typeof createDocumentRepository>
