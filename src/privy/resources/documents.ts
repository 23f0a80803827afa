import { z } from 'zod'
import type { SideEffectOptions } from '../late-answers.js'
import type { EnterpriseAccount, ResolvedOptions } from '../options.js'
import { lateAnswerOnly, type PrivyOperation, type PrivyRequester } from '../request.js'
import {
  type DocumentStatus,
  DocumentStatusSchema,
  OptionalString,
  type SignerStatus,
  SignerStatusSchema,
  type SignerType,
  SignerTypeSchema,
  wireBody,
} from '../schemas.js'
import { createDocumentOtpResource, type DocumentOtpResource } from './document-otp.js'

/** Documents for signing (docs/privy-contract.md §5). `channel_id` and `doc_owner` are added by the client. */

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

/** What precedes the base64 of a PDF in `document_file` and `signed_document` (docs/privy-contract.md §5.1, §5.3). */
export const PDF_DATA_URL_PREFIX = 'data:application/pdf;base64,'

// Strict base64: only the standard alphabet, padding only at the end, whole 4-character groups
// (checked apart: a regex over the groups overflows V8's backtrack stack on a PDF-sized string).
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function isPdfDataUrl(value: string): boolean {
  if (!value.startsWith(PDF_DATA_URL_PREFIX)) return false
  const payload = value.slice(PDF_DATA_URL_PREFIX.length)
  return payload.length > 0 && payload.length % 4 === 0 && BASE64.test(payload)
}

/**
 * The signed PDF of a `documents.status` result, decoded; undefined until the document is
 * `completed`. Throws a TypeError for anything but a non-empty base64 PDF data URL.
 */
export function signedDocument(status: Pick<DocumentStatusResult, 'signed_document'>): Buffer | undefined {
  const url = status.signed_document
  if (url === undefined) return undefined
  if (!isPdfDataUrl(url)) throw new TypeError('signed_document is not a base64 PDF data URL')
  return Buffer.from(url.slice(PDF_DATA_URL_PREFIX.length), 'base64')
}

const UploadData: z.ZodType<DocumentUploadResult> = z.object({
  reference_number: z.string(),
  channel_id: z.string(),
  document_token: z.string().min(1),
  status: DocumentStatusSchema,
  signing_url: z.string(),
})

const SignerData: z.ZodType<DocumentSigner> = z.object({
  privy_id: z.string(),
  signer_type: SignerTypeSchema,
  status: SignerStatusSchema,
  signed_at: OptionalString,
})

const StatusData: z.ZodType<DocumentStatusResult> = z.object({
  reference_number: z.string(),
  channel_id: z.string(),
  document_token: z.string(),
  status: DocumentStatusSchema,
  signing_url: z.string(),
  signers: z.array(SignerData),
  emeterai: z
    .object({ status: z.string(), serial_number: OptionalString })
    .nullish()
    .transform((value) => value ?? undefined),
  // Refused here rather than on decoding, so a broken PDF is a PrivyResponseValidationError.
  signed_document: z
    .string()
    .refine(isPdfDataUrl, 'must be a base64 PDF data URL')
    .nullish()
    .transform((value) => value ?? undefined),
})

const HistoryData: z.ZodType<DocumentHistoryResult> = z.object({
  document: z.object({
    name: z.string(),
    status: DocumentStatusSchema,
    document_token: z.string(),
    reference_number: z.string(),
    signers: z.array(
      z.object({
        privy_id: z.string(),
        signer_type: SignerTypeSchema,
        status: SignerStatusSchema,
        histories: z.array(z.object({ description: z.string(), created_at: z.string() })),
      }),
    ),
  }),
})

const RevokeData: z.ZodType<DocumentRevokeResult> = z.object({
  document_token: z.string(),
  deleted_at: z.string(),
})

const UPLOAD: PrivyOperation<DocumentUploadResult> = {
  name: 'documents.upload',
  path: '/web/api/v2/doc-signing',
  retry: 'never',
  data: UploadData,
}
const STATUS: PrivyOperation<DocumentStatusResult> = {
  name: 'documents.status',
  path: '/web/api/v2/doc-signing/status',
  retry: 'safe',
  data: StatusData,
}
const HISTORY: PrivyOperation<DocumentHistoryResult> = {
  name: 'documents.history',
  path: '/web/api/v2/doc-signing/history',
  retry: 'safe',
  data: HistoryData,
}
const REVOKE: PrivyOperation<DocumentRevokeResult> = {
  name: 'documents.revoke',
  path: '/web/api/v2/doc-signing/delete',
  retry: 'never',
  data: RevokeData,
}

export interface DocumentsResource {
  /**
   * docs/privy-contract.md §5.1. Never retried: a lost answer leaves the outcome unknown (ask `status` before sending the
   * same reference_number again). Rejects with a TypeError when the client has no enterprise account.
   * With `onLateAnswer`, an answer after uploadTimeoutMs (with the document_token) still reaches the
   * caller, up to lateAnswerMs (late-answers.ts).
   */
  upload(
    input: DocumentUploadInput,
    options?: SideEffectOptions<DocumentUploadResult>,
  ): Promise<DocumentUploadResult>
  /** docs/privy-contract.md §5.3. Safe to repeat, so transient failures are retried. Limited by maxDocumentResponseBytes. */
  status(input: DocumentRef): Promise<DocumentStatusResult>
  /** docs/privy-contract.md §5.4. Safe to repeat, so transient failures are retried. */
  history(input: DocumentRef): Promise<DocumentHistoryResult>
  /** docs/privy-contract.md §5.5. Never retried. Refused (422) once every signer signed or the document is completed/revoked. */
  revoke(input: DocumentRef, options?: SideEffectOptions<DocumentRevokeResult>): Promise<DocumentRevokeResult>
  /** docs/privy-contract.md §4.2. */
  otp: DocumentOtpResource
}

export type DocumentsSettings = Pick<
  ResolvedOptions,
  'channelId' | 'enterprise' | 'uploadTimeoutMs' | 'maxDocumentResponseBytes'
>

export function createDocumentsResource(
  request: PrivyRequester,
  settings: DocumentsSettings,
): DocumentsResource {
  const { channelId, enterprise } = settings
  const upload = { ...UPLOAD, timeoutMs: settings.uploadTimeoutMs }
  const status = { ...STATUS, maxResponseBytes: settings.maxDocumentResponseBytes }
  // reference_number, then channel_id, then the rest, as for registrations.
  const head = (ref: { reference_number: string }) => ({
    reference_number: ref.reference_number,
    channel_id: channelId,
  })
  return {
    async upload(input, options) {
      if (enterprise === undefined) {
        throw new TypeError(
          'Privy documents.upload needs the client options enterprisePrivyId and enterpriseToken',
        )
      }
      const body = uploadBody(head(input), input, enterprise)
      const wire = uploadJson(JSON.stringify(body), input.document.file)
      return request(upload, body, { ...lateAnswerOnly(options), wire })
    },
    status: (input) => request(status, wireBody(head(input), input, ['document_token'])),
    history: (input) => request(HISTORY, wireBody(head(input), input, ['document_token'])),
    revoke: (input, options) =>
      request(REVOKE, wireBody(head(input), input, ['document_token']), lateAnswerOnly(options)),
    otp: createDocumentOtpResource(request, channelId),
  }
}

/**
 * The docs/privy-contract.md §5.1 body in wire order, with `document_file` left empty: uploadJson writes the PDF into the
 * JSON, and the Signature leaves the whole `document` out (docs/privy-contract.md §2.3), so this object signs the upload.
 */
function uploadBody(
  head: Record<string, unknown>,
  input: DocumentUploadInput,
  enterprise: EnterpriseAccount,
): Record<string, unknown> {
  const fields = {
    info: input.info,
    doc_process: input.doc_process,
    // docs/privy-contract.md §5.1 shows a JSON boolean here, unlike the "0"/"1" flags below.
    visibility: input.visibility,
    doc_owner: { privyId: enterprise.privyId, enterpriseToken: enterprise.token },
    document: {
      document_file: '',
      document_name: input.document.name,
      sign_process: input.document.sign_process,
    },
    recipients: input.recipients?.map((recipient) => ({
      user_type: '0',
      id_user: recipient.privy_id,
      signer_type: recipient.signer_type,
      notify_user: recipient.notify ? '1' : '0',
      sign_positions: recipient.positions.map((p) => ({ posX: p.x, posY: p.y, signPage: p.page })),
    })),
    e_meterai:
      input.e_meterai === undefined
        ? undefined
        : {
            doc_category: input.e_meterai.category,
            stamp_position: input.e_meterai.positions.map((p) => ({
              pos_x: p.x,
              pos_y: p.y,
              page: p.page,
              dimension: p.dimension,
            })),
          },
  }
  return wireBody(head, fields, [
    'info',
    'doc_process',
    'visibility',
    'doc_owner',
    'document',
    'recipients',
    'e_meterai',
  ])
}

// Inside JSON text a `"` within a string value is always escaped, so this can only be the real key
// with its still-empty value, and `document_file` is a key of ours that occurs once.
const EMPTY_DOCUMENT_FILE = '"document_file":""'
// Whole 3-byte groups encode without padding, so the base64 of consecutive chunks concatenates into
// the base64 of the whole PDF.
const BASE64_CHUNK_BYTES = 3 * 64 * 1024

/**
 * The upload's JSON bytes: `json` with the PDF's data URL written into its empty `document_file`.
 * Memory: base64 is 4/3 of the PDF (13.3 MB for 10 MB), and this Buffer is the only full copy of it:
 * the PDF is encoded chunk by chunk straight into the Buffer, which undici sends as is (a string body
 * is copied into a new Buffer first) and which a re-send after a 401 reuses. Measured for a 10 MB PDF,
 * peak RSS over idle: building the body 14 MB, the whole upload about 25 MB (median of 10 runs);
 * JSON.stringify of an object holding the data URL took 71 MB and 66 MB.
 */
function uploadJson(json: string, pdf: Buffer): Buffer {
  const slot = json.indexOf(EMPTY_DOCUMENT_FILE)
  if (slot < 0) throw new Error('upload body has no document_file')
  const at = slot + EMPTY_DOCUMENT_FILE.length - 1
  const before = json.slice(0, at) + PDF_DATA_URL_PREFIX
  const after = json.slice(at)
  const size = Buffer.byteLength(before) + 4 * Math.ceil(pdf.length / 3) + Buffer.byteLength(after)
  const wire = Buffer.allocUnsafe(size)
  let offset = wire.write(before)
  for (let start = 0; start < pdf.length; start += BASE64_CHUNK_BYTES) {
    offset += wire.write(pdf.toString('base64', start, start + BASE64_CHUNK_BYTES), offset, 'latin1')
  }
  offset += wire.write(after, offset)
  // allocUnsafe leaves old memory in place: never send a byte that was not written here.
  if (offset !== size) throw new Error('upload body size mismatch')
  return wire
}
