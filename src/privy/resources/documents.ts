import { z } from 'zod'
import type { SideEffectOptions } from '../late-answers.js'
import type { EnterpriseAccount, ResolvedOptions } from '../options.js'
import { lateAnswerOnly, type PrivyOperation, type PrivyRequester } from '../request.js'
import {
  DocumentStatusSchema,
  OptionalString,
  SignerStatusSchema,
  SignerTypeSchema,
  wireBody,
} from '../schemas.js'
import { base64IntoJson } from '../upload-body.js'
import { createDocumentOtpResource, type DocumentOtpResource } from './document-otp.js'
import type {
  DocumentHistoryResult,
  DocumentRef,
  DocumentRevokeResult,
  DocumentSigner,
  DocumentStatusResult,
  DocumentUploadInput,
  DocumentUploadResult,
} from './documents.types.js'

/** Documents for signing (docs/privy-contract.md §5). `channel_id` and `doc_owner` are added by the client. */
export type * from './documents.types.js'

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
      // The PDF's data URL is encoded as it is sent (upload-body.ts); the Signature leaves it out.
      const wire = base64IntoJson(
        JSON.stringify(body),
        EMPTY_DOCUMENT_FILE,
        PDF_DATA_URL_PREFIX,
        input.document.file,
      )
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
 * The docs/privy-contract.md §5.1 body in wire order, with `document_file` left empty: base64IntoJson writes the PDF into the
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
