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

/** A box in points from the top-left corner of the page as a viewer shows it. */
interface Box {
  page: number
  x: number
  y: number
  width: number
  height: number
}

/**
 * One version of a template as a document is sent from it: its PDF (read back from the store and
 * matched against `sha256`), and what was found in it when the version was made: its page count and
 * its placements resolved to points.
 */
export interface TemplateCopy {
  id: string
  version: number
  file: Buffer
  sha256: string
  size: number
  pageCount: number
  signProcess: 'serial' | 'parallel'
  visibility: boolean
  roles: Array<{ name: string; role: 'signer' | 'reviewer'; placements: Box[] }>
  eMeterai: { category: string; order: 'after_signing' | 'before_signing'; placements: Box[] } | null
}

/**
 * Where documents find templates (the templates module, which the app hands in): the caller's own
 * (an operator's: any), at its current version unless deleted, or at `version` (an Idempotency-Key
 * retry of a document sent from it, even if deleted since); null when there is none.
 */
export interface TemplateSource {
  copyFor(ownerId: string | undefined, id: string, version?: number): Promise<TemplateCopy | null>
}
