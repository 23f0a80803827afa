import { createHash } from 'node:crypto'
import type { MultipartFile, MultipartValue } from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import { AppError, type FieldError } from '../../../errors/app-error.js'
import { toUploadError } from './multipart-errors.js'
import { FILE_FIELD, invalidPart, METADATA_FIELD, partTooLarge } from './pdf-errors.js'

export interface DocumentUploadLimits {
  /** Largest PDF accepted, in bytes. */
  maxBytes: number
  /** Largest `metadata` JSON accepted, in bytes (signers and placements are a few KB). */
  maxMetadataBytes: number
}

export interface DocumentUpload {
  file: Buffer
  /** SHA-256 of `file`, lower-case hex, computed while it streamed in. */
  sha256: string
  size: number
  /** As the client sent it (only for display); the content is judged by `inspectPdf`, not by its name. */
  filename?: string
  /** The parsed JSON, not yet validated. */
  metadata: unknown
}

interface ReceivedFile {
  file: Buffer
  sha256: string
  size: number
  filename?: string
}

const ONLY = 'is not an accepted part (only file and metadata are)'
const ONCE = 'must be sent once'

/**
 * busboy limits for the document route. Its defaults are loose (fields, files and parts unlimited), so
 * every count is set. A document needs two parts, `file` and `metadata` (a text field, or a file part
 * as `curl -F metadata=@doc.json` sends it); one part of each kind more is allowed so an unexpected
 * one is refused by its name (400) rather than by count (413). `fileSize` is the larger cap + 1 so
 * busboy only backstops: each part's own cap is enforced while reading it, and the + 1 lets that check
 * see a part one byte over. A text field is cut at `fieldSize`, which the reader refuses as too large.
 */
export function documentMultipartLimits(limits: DocumentUploadLimits) {
  return {
    files: 3,
    fields: 2,
    parts: 4,
    fileSize: Math.max(limits.maxBytes, limits.maxMetadataBytes) + 1,
    fieldSize: limits.maxMetadataBytes,
    headerPairs: 100,
  }
}

/**
 * Reads a `multipart/form-data` document upload as a stream: exactly one `file` part and one
 * `metadata` part, in either order. The file is collected chunk by chunk, hashed as it arrives, and
 * abandoned as soon as it passes `maxBytes`, so at most the cap plus one chunk is ever held; the chunks
 * are joined once at the end, so this reader holds about twice the file, briefly (the whole upload,
 * with the base64 body for Privy, measured 2.3–2.8× the bytes in flight: see `npm run bench`).
 * A refusal is answered at once: parsing stops there and nothing after it is read (see `closeConnectionIfBodyUnread`).
 *
 * The bytes are only collected here; `inspectPdf` judges them, whatever name or type the client gave.
 */
export async function readDocumentUpload(
  request: FastifyRequest,
  limits: DocumentUploadLimits,
): Promise<DocumentUpload> {
  let file: ReceivedFile | undefined
  let metadata: { value: unknown } | undefined
  try {
    // Passed here as well as at registration, so the caps hold whatever scope the route is in.
    for await (const part of request.parts({ limits: documentMultipartLimits(limits) })) {
      if (part.fieldname === FILE_FIELD) {
        if (part.type !== 'file') throw invalidPart(FILE_FIELD, 'must be sent as a file part')
        if (file) throw refusePart(part, ONCE)
        file = await readFilePart(part, limits.maxBytes)
      } else if (part.fieldname === METADATA_FIELD) {
        if (metadata) {
          throw part.type === 'file' ? refusePart(part, ONCE) : invalidPart(METADATA_FIELD, ONCE)
        }
        metadata = { value: await readMetadata(part, limits.maxMetadataBytes) }
      } else {
        throw part.type === 'file' ? refusePart(part, ONLY) : invalidPart(part.fieldname, ONLY)
      }
    }
  } catch (error) {
    discardRestOfBody(request)
    throw toUploadError(error, limits)
  }
  const missing: FieldError[] = []
  if (!file) missing.push({ path: FILE_FIELD, message: 'is required' })
  if (!metadata) missing.push({ path: METADATA_FIELD, message: 'is required' })
  if (!file || !metadata) {
    const detail = missing.map((error) => `${error.path} ${error.message}`).join('; ')
    throw new AppError('VALIDATION_FAILED', { detail, errors: missing })
  }
  return { ...file, metadata: metadata.value }
}

async function readFilePart(part: MultipartFile, maxBytes: number): Promise<ReceivedFile> {
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  let size = 0
  // Leaving this loop by a throw destroys the stream, which ends the parsing of the request.
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw partTooLarge(FILE_FIELD, maxBytes)
    hash.update(chunk)
    chunks.push(chunk)
  }
  if (part.file.truncated) throw partTooLarge(FILE_FIELD, maxBytes)
  if (size === 0) throw invalidPart(FILE_FIELD, 'must not be empty')
  return {
    file: Buffer.concat(chunks, size),
    sha256: hash.digest('hex'),
    size,
    ...(part.filename ? { filename: part.filename } : {}),
  }
}

async function readMetadata(part: MultipartFile | MultipartValue, maxBytes: number): Promise<unknown> {
  if (part.type === 'file') {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxBytes) throw partTooLarge(METADATA_FIELD, maxBytes)
      chunks.push(chunk)
    }
    if (part.file.truncated) throw partTooLarge(METADATA_FIELD, maxBytes)
    return parseJson(decodeUtf8(Buffer.concat(chunks, size)))
  }
  if (part.fieldnameTruncated) throw invalidPart(METADATA_FIELD, 'has a part name that is too long')
  // busboy cuts a value at fieldSize without failing; a cut value must not pass for the real one.
  if (part.valueTruncated) throw partTooLarge(METADATA_FIELD, maxBytes)
  // A part declared application/json arrives already parsed by the plugin (with prototype keys refused).
  return typeof part.value === 'string' ? parseJson(part.value) : part.value
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw invalidPart(METADATA_FIELD, 'must be JSON', cause)
  }
}

function parseJson(text: string): unknown {
  try {
    // Windows editors save JSON files with a byte-order mark, which JSON.parse refuses.
    return JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (cause) {
    throw invalidPart(METADATA_FIELD, 'must be JSON', cause)
  }
}

/** Refuses a file part without reading it; destroying its stream stops busboy, so nothing hangs. */
function refusePart(part: MultipartFile, message: string): AppError {
  part.file.destroy()
  return invalidPart(part.fieldname, message)
}

/**
 * After a refusal the plugin stops parsing but leaves the rest of the body unread, and Node then keeps
 * the connection waiting for someone to read it. Reading the rest into the void lets the request end;
 * `closeConnectionIfBodyUnread` (the route's onError hook) spares the client sending it.
 */
function discardRestOfBody(request: FastifyRequest): void {
  request.raw.unpipe()
  request.raw.resume()
}
