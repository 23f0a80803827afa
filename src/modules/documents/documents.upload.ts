import { createHash } from 'node:crypto'
import type { MultipartFile } from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import { AppError, type FieldError } from '../../errors/app-error.js'
import { fieldTooLarge, invalidField } from '../../http/field-errors.js'
import {
  busboyLimits,
  FORM_HEADROOM_BYTES,
  type FormLimits,
  type FormReading,
  readCappedFile,
  readForm,
  readTextField,
  refusePart,
} from '../../http/multipart.js'
import { FILE_FIELD, METADATA_FIELD } from '../../pdf/index.js'

export interface DocumentUploadLimits {
  /** Largest PDF accepted, in bytes. */
  maxBytes: number
  /** Largest `metadata` JSON accepted, in bytes (signers and placements are a few KB). */
  maxMetadataBytes: number
}

export interface DocumentUpload {
  /**
   * Its own memory (not a view into a shared buffer from 4 KiB up): the upload moves it to the PDF
   * worker and back (the answer's Buffer replaces this one) and frees it once Privy has answered.
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
 * A document needs two parts, `file` and `metadata` (a text field, or a file part as
 * `curl -F metadata=@doc.json` sends it); one part of each kind more is allowed so an unexpected one is
 * refused by its name (400) rather than by count (413).
 */
function documentForm(limits: DocumentUploadLimits): FormLimits {
  return {
    files: 3,
    fields: 2,
    parts: 4,
    maxFileBytes: Math.max(limits.maxBytes, limits.maxMetadataBytes),
    maxFieldBytes: limits.maxMetadataBytes,
  }
}

/** The most an acceptable document upload weighs: the PDF and its metadata at their caps. */
export function documentUploadBytes(limits: DocumentUploadLimits): number {
  return limits.maxBytes + limits.maxMetadataBytes + FORM_HEADROOM_BYTES
}

/** busboy limits for the document route (see `busboyLimits`). */
export function documentMultipartLimits(limits: DocumentUploadLimits) {
  return busboyLimits(documentForm(limits))
}

/**
 * Reads a `multipart/form-data` document upload as a stream: exactly one `file` part and one
 * `metadata` part, in either order. The file is hashed as it arrives and capped while read; the chunks
 * are joined once at the end, so this reader holds about twice the file, briefly (the whole upload
 * measured 1.4–2.3× the bytes in flight on Node 24: README, Benchmark, "Uploads on Node 24").
 *
 * The bytes are only collected here; `inspectPdf` judges them, whatever name or type the client gave.
 */
export async function readDocumentUpload(
  request: FastifyRequest,
  limits: DocumentUploadLimits,
): Promise<DocumentUpload> {
  let file: Omit<DocumentUpload, 'metadata'> | undefined
  let metadata: { value: unknown } | undefined
  const reading: FormReading = {
    form: 'a document upload',
    limits: documentForm(limits),
    tooLarge: (name) =>
      name === METADATA_FIELD
        ? fieldTooLarge(METADATA_FIELD, limits.maxMetadataBytes)
        : fieldTooLarge(FILE_FIELD, limits.maxBytes),
  }
  await readForm(request, reading, async (part) => {
    if (part.fieldname === FILE_FIELD) {
      if (part.type !== 'file') throw invalidField(FILE_FIELD, 'must be sent as a file part')
      if (file) throw refusePart(part, ONCE)
      file = await readFilePart(part, limits.maxBytes)
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
  const missing: FieldError[] = []
  if (!file) missing.push({ path: FILE_FIELD, message: 'is required' })
  if (!metadata) missing.push({ path: METADATA_FIELD, message: 'is required' })
  if (!file || !metadata) {
    const detail = missing.map((error) => `${error.path} ${error.message}`).join('; ')
    throw new AppError('VALIDATION_FAILED', { detail, errors: missing })
  }
  return { ...file, metadata: metadata.value }
}

async function readFilePart(
  part: MultipartFile,
  maxBytes: number,
): Promise<Omit<DocumentUpload, 'metadata'>> {
  const hash = createHash('sha256')
  const bytes = await readCappedFile(part, maxBytes, (chunk) => hash.update(chunk))
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
