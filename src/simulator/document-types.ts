/**
 * Documents of docs/privy-contract.md §5 as the simulator keeps them. The [chosen] sizes and the [seen] category
 * list are constants here, so that a real Privy account that differs is one edit away.
 */

/** "0" sign only, "1" e-Meterai only, "2" sign then e-Meterai, "3" e-Meterai then sign (docs/privy-contract.md §5.1). */
export type DocProcess = '0' | '1' | '2' | '3'
export const DOC_PROCESSES = ['0', '1', '2', '3'] as const

export type DocumentStatus =
  | 'uploaded'
  | 'processing'
  | 'processing_emeterai'
  | 'completed'
  | 'revoked'
  | 'expired'
  | 'error'

export type SignerStatus = 'waiting' | 'signed' | 'rejected'
export type SignerType = 'Signer' | 'Reviewer'
export type SignProcess = 'serial' | 'parallel'

/** The contract names no e-Meterai status values [chosen]. */
export type EmeteraiStatus = 'waiting' | 'processing' | 'stamped' | 'failed'

/** docs/privy-contract.md §5.1 `doc_category` codes [seen]. */
export const DOC_CATEGORIES = [
  'surat_perjanjian',
  'surat_pernyataan',
  'akta_notaris',
  'akta_pejabat',
  'surat_berharga',
  'dokumen_transaksi',
  'dokumen_lelang',
  'dokumen_pernyataan_jumlah_uang',
  'dokumen_penerimaan_uang',
  'dokumen_hutang',
  'dokumen_lain_lain',
] as const
export type DocCategory = (typeof DOC_CATEGORIES)[number]

/** A signature box is 120 × 60 pt [chosen]. */
export const SIGNATURE_BOX = { width: 120, height: 60 } as const

/**
 * A box on a page: PDF points from the page's top-left corner as the reader sees it (after /Rotate),
 * 1-based page (docs/privy-contract.md §5.1). `field` is the request path it came from, for error messages.
 */
export interface PlacedBox {
  page: number
  x: number
  y: number
  width: number
  height: number
  field: string
}

export interface HistoryEntry {
  description: string
  createdAt: Date
}

export interface SimSigner {
  privyId: string
  signerType: SignerType
  notifyUser: boolean
  status: SignerStatus
  signedAt: Date | undefined
  boxes: PlacedBox[]
  /** docs/privy-contract.md §5.4 signer history, oldest first. */
  histories: HistoryEntry[]
}

export interface SimEmeterai {
  docCategory: DocCategory
  status: EmeteraiStatus
  serialNumber: string | undefined
  stampedAt: Date | undefined
  stamps: PlacedBox[]
}

export interface SimDocument {
  referenceNumber: string
  channelId: string
  /** The merchant's server-side credential for docs/privy-contract.md §5.3-§5.5. */
  documentToken: string
  /** The secret of `signing_url`, separate from the document token because users see the URL. */
  signingToken: string
  signingUrl: string
  info: string | undefined
  documentName: string
  docProcess: DocProcess
  visibility: boolean
  signProcess: SignProcess
  status: DocumentStatus
  /** In the order of `recipients`, which is the signing order when serial. */
  signers: SimSigner[]
  /** Present for doc_process "1", "2" and "3". */
  emeterai: SimEmeterai | undefined
  pageCount: number
  /** The PDF exactly as decoded from `document_file`, so a test can prove it arrived intact. */
  uploadedPdf: Buffer
  /** Built on completion, with the signatures and stamps drawn on it. */
  signedPdf: Buffer | undefined
  /** Why the document went to `error`, for `/__sim`. */
  failure: string | undefined
  createdAt: Date
  updatedAt: Date
  deletedAt: Date | undefined
}
