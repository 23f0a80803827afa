import { createHash } from 'node:crypto'
import multipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError, type FieldError } from '../errors/app-error.js'
import { FILE_FIELD, METADATA_FIELD } from '../pdf/index.js'
import { fieldTooLarge, invalidField } from './field-errors.js'
import {
  busboyLimits,
  FORM_HEADROOM_BYTES,
  type FormLimits,
  type FormReading,
  readCappedFile,
  readForm,
  readTextField,
  refusedUploadHook,
  refusePart,
} from './multipart.js'
import { declaredLength } from './part-bytes.js'

/**
 * A PDF with its `metadata` JSON as one multipart form: a document upload (POST /v1/documents) and a
 * template (POST and PUT /v1/templates) are read by this one reader, with the same caps and refusals.
 */
export interface PdfUploadLimits {
  /** Largest PDF accepted, in bytes. */
  maxBytes: number
  /** Largest `metadata` JSON accepted, in bytes (signers and placements are a few KB). */
  maxMetadataBytes: number
}

export interface PdfUpload {
  /**
   * Its own memory (`ownedBytes`; it may fill only the start of it): a document upload moves it to the
   * PDF worker and back (the answer's Buffer replaces this one) and frees it once Privy has answered.
   */
  file: Buffer
  /** SHA-256 of `file`, lower-case hex, computed while it streamed in. */
  sha256: string
  size: number
  /** As the client sent it (only for display); the content is judged by `inspectPdf`, not by its name. */
  filename?: string
  /** The parsed JSON, not yet validated. */
  metadata: unknown
}

const ONLY = 'is not an accepted part (only file and metadata are)'
const ONCE = 'must be sent once'

/**
 * A PDF form has two parts, `file` and `metadata` (a text field, or a file part as
 * `curl -F metadata=@doc.json` sends it); one part of each kind more is allowed so an unexpected one is
 * refused by its name (400) rather than by count (413).
 */
function pdfForm(limits: PdfUploadLimits): FormLimits {
  return {
    files: 3,
    fields: 2,
    parts: 4,
    maxFileBytes: Math.max(limits.maxBytes, limits.maxMetadataBytes),
    maxFieldBytes: limits.maxMetadataBytes,
  }
}

/** The most an acceptable PDF form weighs: the PDF and its metadata at their caps. */
export function pdfUploadBytes(limits: PdfUploadLimits): number {
  return limits.maxBytes + limits.maxMetadataBytes + FORM_HEADROOM_BYTES
}

/** busboy limits for a PDF form's route (see `busboyLimits`). */
export function pdfMultipartLimits(limits: PdfUploadLimits) {
  return busboyLimits(pdfForm(limits))
}

/**
 * What a route plugin whose routes take PDF forms (documents, templates) registers first: the multipart
 * parser with the form's caps, and the answer to a refusal mid-upload (an acceptable-sized body is
 * drained so the client reads the answer; a larger one closes the connection).
 */
export async function acceptPdfForms(app: FastifyInstance, limits: PdfUploadLimits): Promise<void> {
  await app.register(multipart, { limits: pdfMultipartLimits(limits) })
  app.addHook('onError', refusedUploadHook(pdfUploadBytes(limits)))
}

/**
 * Reads a `multipart/form-data` PDF form as a stream: exactly one `file` part and one `metadata`
 * part, in either order. The file is hashed as it arrives, capped while read, and copied into one
 * buffer sized from the request's Content-Length (`PartBytes`), so this reader holds the file once.
 *
 * The bytes are only collected here; `inspectPdf` judges them, whatever name or type the client gave.
 */
export async function readPdfUpload(
  request: FastifyRequest,
  limits: PdfUploadLimits,
  form = 'a document upload',
): Promise<PdfUpload> {
  const { file, metadata } = await readPdfParts(request, limits, form)
  const missing: FieldError[] = []
  if (!file) missing.push({ path: FILE_FIELD, message: 'is required' })
  if (!metadata) missing.push({ path: METADATA_FIELD, message: 'is required' })
  if (!file || !metadata) throw missingParts(missing)
  return { ...file, metadata: metadata.value }
}

/** A change to what was uploaded before: a new `file`, new `metadata`, or both; at least one. */
export async function readPdfChange(
  request: FastifyRequest,
  limits: PdfUploadLimits,
  form: string,
): Promise<{ file?: Omit<PdfUpload, 'metadata'>; metadata?: { value: unknown } }> {
  const parts = await readPdfParts(request, limits, form)
  if (!parts.file && !parts.metadata) {
    throw missingParts([{ path: FILE_FIELD, message: `is required when ${METADATA_FIELD} is not sent` }])
  }
  return parts
}

function missingParts(missing: FieldError[]): AppError {
  const detail = missing.map((error) => `${error.path} ${error.message}`).join('; ')
  return new AppError('VALIDATION_FAILED', { detail, errors: missing })
}

async function readPdfParts(request: FastifyRequest, limits: PdfUploadLimits, form: string) {
  let file: Omit<PdfUpload, 'metadata'> | undefined
  let metadata: { value: unknown } | undefined
  const reading: FormReading = {
    form,
    limits: pdfForm(limits),
    tooLarge: (name) =>
      name === METADATA_FIELD
        ? fieldTooLarge(METADATA_FIELD, limits.maxMetadataBytes)
        : fieldTooLarge(FILE_FIELD, limits.maxBytes),
  }
  await readForm(request, reading, async (part) => {
    if (part.fieldname === FILE_FIELD) {
      if (part.type !== 'file') throw invalidField(FILE_FIELD, 'must be sent as a file part')
      if (file) throw refusePart(part, ONCE)
      file = await readFilePart(part, limits.maxBytes, declaredLength(request.headers))
    } else if (part.fieldname === METADATA_FIELD) {
      if (metadata) throw refusePart(part, ONCE)
      metadata = {
        value:
          part.type === 'file'
            ? parseJson(decodeUtf8(await readCappedFile(part, limits.maxMetadataBytes)))
            : metadataValue(readTextField(part, limits.maxMetadataBytes)),
      }
    } else {
      throw refusePart(part, ONLY)
    }
  })
  return { ...(file ? { file } : {}), ...(metadata ? { metadata } : {}) }
}

async function readFilePart(
  part: MultipartFile,
  maxBytes: number,
  declaredBytes: number | undefined,
): Promise<Omit<PdfUpload, 'metadata'>> {
  const hash = createHash('sha256')
  const bytes = await readCappedFile(part, maxBytes, {
    onChunk: (chunk) => hash.update(chunk),
    declaredBytes,
  })
  if (bytes.length === 0) throw invalidField(FILE_FIELD, 'must not be empty')
  return {
    file: bytes,
    sha256: hash.digest('hex'),
    size: bytes.length,
    ...(part.filename ? { filename: part.filename } : {}),
  }
}

/** A part declared application/json arrives already parsed by the plugin (with prototype keys refused). */
function metadataValue(value: unknown): unknown {
  return typeof value === 'string' ? parseJson(value) : value
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw invalidField(METADATA_FIELD, 'must be JSON', cause)
  }
}

function parseJson(text: string): unknown {
  try {
    // Windows editors save JSON files with a byte-order mark, which JSON.parse refuses.
    return JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (cause) {
    throw invalidField(METADATA_FIELD, 'must be JSON', cause)
  }
}
