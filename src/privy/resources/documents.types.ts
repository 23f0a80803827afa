import type { DocumentStatus, SignerStatus, SignerType } from '../schemas.js'
/** The wire shapes of Privy's documents for signing (docs/privy-contract.md §5), as the SDK hands them out. */

/** `0` sign only, `1` e-Meterai only, `2` sign then e-Meterai, `3` e-Meterai then sign. */
export type DocProcess = '0' | '1' | '2' | '3'
/** `0` serial (signers in recipient order), `1` parallel. */
export type SignProcess = '0' | '1'

/** PDF points from the top-left corner of the page; pages are 1-based (docs/privy-contract.md §5.1). A box is 120 × 60 pt. */
export interface SignPosition {
  x: number
  y: number
  page: number
}

export interface DocumentRecipient {
  privy_id: string
  signer_type: SignerType
  /** Whether Privy notifies the recipient itself. */
  notify: boolean
  positions: SignPosition[]
}

/** An e-Meterai stamp of `dimension` × `dimension` pt at (x, y) of `page`. */
export interface StampPosition extends SignPosition {
  dimension: number
}

export interface EMeteraiInput {
  /** docs/privy-contract.md §5.1 `doc_category`, e.g. `surat_perjanjian` or `dokumen_lain_lain`. */
  category: string
  positions: StampPosition[]
}

export interface DocumentUploadInput {
  /** Unique per channel; a repeat is refused with 409. */
  reference_number: string
  info?: string
  doc_process: DocProcess
  /** Whether the signature is visible on the page. */
  visibility: boolean
  document: {
    /** The raw PDF bytes; the client sends them as a base64 data URL. */
    file: Buffer
    name: string
    sign_process: SignProcess
  }
  /** Required unless `doc_process` is `1`. */
  recipients?: DocumentRecipient[]
  /** Required when `doc_process` is `1`, `2` or `3`. */
  e_meterai?: EMeteraiInput
}

export interface DocumentUploadResult {
  reference_number: string
  channel_id: string
  document_token: string
  status: DocumentStatus
  signing_url: string
}

export interface DocumentRef {
  reference_number: string
  document_token: string
}

export interface DocumentSigner {
  privy_id: string
  signer_type: SignerType
  status: SignerStatus
  signed_at?: string
}

export interface DocumentStatusResult {
  reference_number: string
  channel_id: string
  document_token: string
  status: DocumentStatus
  signing_url: string
  signers: DocumentSigner[]
  emeterai?: { status: string; serial_number?: string }
  /** Only when `completed`: the signed PDF as a `data:application/pdf;base64,` URL; see signedDocument. */
  signed_document?: string
}

export interface DocumentHistoryEntry {
  description: string
  created_at: string
}

export interface DocumentHistorySigner {
  privy_id: string
  signer_type: SignerType
  status: SignerStatus
  histories: DocumentHistoryEntry[]
}

export interface DocumentHistoryResult {
  document: {
    name: string
    status: DocumentStatus
    document_token: string
    reference_number: string
    signers: DocumentHistorySigner[]
  }
}

export interface DocumentRevokeResult {
  document_token: string
  deleted_at: string
}
