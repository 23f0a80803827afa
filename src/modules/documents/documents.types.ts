import type { Document, DocumentEvent, DocumentSigner, Prisma } from '../../generated/prisma/client.js'

/**
 * A document as the services see it, with its signers: the sealed document token is opened on first
 * read of `documentToken` (not enumerable: a spread, a log line or a JSON body never carries it).
 */
export type DocumentRecord = Omit<Document, 'documentTokenSealed' | 'tokenKeyId'> & {
  signers: DocumentSigner[]
  readonly documentToken: string | null
}

export type DocumentEventRecord = DocumentEvent

export interface NewDocument {
  document: Omit<Prisma.DocumentUncheckedCreateInput, 'signers' | 'events'>
  signers: Array<Omit<Prisma.DocumentSignerUncheckedCreateInput, 'documentId'>>
}
