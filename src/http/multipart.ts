import type { Multipart, MultipartFile, MultipartValue } from '@fastify/multipart'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors/app-error.js'
import type { ErrorCode } from '../errors/error-codes.js'
import { fieldTooLarge, invalidField } from './field-errors.js'
import { PartBytes } from './part-bytes.js'

/**
 * The one upload edge: registrations and documents read `multipart/form-data` through these, so a
 * refusal, a cap and a stuck connection are handled the same way for both. The decisions behind it
 * (stream, cap each part while reading, answer at once) are in docs/decisions/upload-streaming.md.
 */

export interface FormLimits {
  /** Most file parts, text fields and parts in all; busboy's defaults are unlimited. */
  files: number
  fields: number
  parts: number
  /** The largest file part's own cap; each part's cap is enforced while it is read. */
  maxFileBytes: number
  /** A text field is cut here, which `readTextField` refuses as too large. */
  maxFieldBytes: number
}

/**
 * busboy limits for a form. `fileSize` is the largest cap + 1 so busboy only backstops: each file's own
 * cap is enforced while reading it, and the + 1 lets that check see a file one byte over its cap.
 */
export function busboyLimits(limits: FormLimits) {
  return {
    files: limits.files,
    fields: limits.fields,
    parts: limits.parts,
    fileSize: limits.maxFileBytes + 1,
    fieldSize: limits.maxFieldBytes,
    headerPairs: 100,
  }
}

export interface FormReading {
  /** How a detail names the form: "a registration", "a document upload". */
  form: string
  limits: FormLimits
  /** The answer when busboy's backstop cuts a file part named `fieldname`. */
  tooLarge: (fieldname: string) => AppError
}

/**
 * Streams the parts of a form into `onPart`, one at a time. A refusal (thrown by `onPart` or by the
 * plugin) is answered at once: parsing stops, the rest of the body is read into the void so the request
 * can end, and the plugin's failures become problem answers.
 */
export async function readForm(
  request: FastifyRequest,
  reading: FormReading,
  onPart: (part: Multipart) => Promise<void>,
): Promise<void> {
  try {
    // Passed here as well as at registration, so the caps hold whatever scope the route is in.
    for await (const part of request.parts({ limits: busboyLimits(reading.limits) })) await onPart(part)
  } catch (error) {
    discardRestOfBody(request)
    throw toMultipartError(error, reading)
  }
}

/**
 * A file part, copied chunk by chunk into one buffer (`PartBytes`) and abandoned as soon as it passes
 * `maxBytes`, so no more than the cap is ever held. `declaredBytes` (the request's Content-Length, when
 * sent) sizes that buffer once. `onChunk` sees each chunk as it arrives (to hash it).
 */
export async function readCappedFile(
  part: MultipartFile,
  maxBytes: number,
  options: { onChunk?: (chunk: Buffer) => void; declaredBytes?: number | undefined } = {},
): Promise<Buffer> {
  const bytes = new PartBytes(maxBytes, options.declaredBytes)
  try {
    // Leaving this loop by a throw destroys the stream, which ends the parsing of the request.
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      if (bytes.length + chunk.length > maxBytes) throw fieldTooLarge(part.fieldname, maxBytes)
      options.onChunk?.(chunk)
      bytes.push(chunk)
    }
    if (part.file.truncated) throw fieldTooLarge(part.fieldname, maxBytes)
  } catch (error) {
    // Refused or cut short: what was read goes back now, not at the next full GC.
    bytes.discard()
    throw error
  }
  return bytes.finish()
}

/** A text field's value as the plugin gives it (a string, or parsed JSON for a part declared so). */
export function readTextField(part: MultipartValue, maxBytes: number): unknown {
  if (part.fieldnameTruncated) throw invalidField(part.fieldname, 'has a part name that is too long')
  // busboy cuts a value at fieldSize without failing; a cut value must not pass for the real one.
  if (part.valueTruncated) throw fieldTooLarge(part.fieldname, maxBytes)
  return part.value
}

/** Refuses a part; a file part is not read: destroying its stream stops busboy, so nothing hangs. */
export function refusePart(part: Multipart, message: string): AppError {
  if (part.type === 'file') part.file.destroy()
  return invalidField(part.fieldname, message)
}

/**
 * After a refusal the plugin stops parsing but leaves the rest of the body unread, and Node then keeps
 * the connection waiting for someone to read it: the next request on that connection is never
 * answered, and a graceful shutdown waits for it. Reading the rest into the void lets the request end;
 * `refusedUploadHook` decides whether the connection is then kept or closed.
 */
function discardRestOfBody(request: FastifyRequest): void {
  request.raw.unpipe()
  request.raw.resume()
}

/** Room for boundaries, part headers and the text fields on top of a form's files. */
export const FORM_HEADROOM_BYTES = 64 * 1024

/**
 * `onError` hook for a multipart route, for a refusal answered before the body was read to the end
 * (see docs/decisions/upload-streaming.md). A body that declares at most `drainUpToBytes` (what an
 * acceptable form can weigh) is read to its end into the void and the connection kept: the client
 * finishes sending and reads the answer. Closing under a client still writing would reset the
 * connection (Node 24 does at once), and a client such as undici's fetch then reports EPIPE instead of
 * the 413. A larger body, or one of undeclared length, gets `Connection: close` so the client stops
 * uploading what nobody will read. Memory is flat either way: drained chunks are dropped as they come.
 */
export function refusedUploadHook(
  drainUpToBytes: number,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    if (request.raw.complete) return
    const declared = Number(request.headers['content-length'])
    if (Number.isSafeInteger(declared) && declared <= drainUpToBytes) return
    reply.header('connection', 'close')
  }
}

/** @fastify/multipart's and busboy's failures; `{form}` is replaced by the form's name. */
const PLUGIN_ERRORS: Readonly<Record<string, { code: ErrorCode; detail: string }>> = {
  FST_PARTS_LIMIT: { code: 'PAYLOAD_TOO_LARGE', detail: 'The form has more parts than {form} may have' },
  FST_FILES_LIMIT: { code: 'PAYLOAD_TOO_LARGE', detail: 'The form has more files than {form} may have' },
  FST_FIELDS_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more text fields than {form} may have',
  },
  FST_PROTO_VIOLATION: { code: 'MALFORMED_BODY', detail: 'A part name is not allowed' },
  // The plugin parses a part declared application/json itself, and fails the same way whether it is
  // not JSON or was cut at the size cap: the two cannot be told apart here, so the detail names both.
  FST_INVALID_JSON_FIELD_ERROR: {
    code: 'MALFORMED_BODY',
    detail: 'A part declared as application/json is not valid JSON, or is larger than allowed',
  },
  FST_MP_PREMATURE_CLOSE: {
    code: 'MALFORMED_BODY',
    detail: 'The request ended before the form was complete',
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The request is not multipart/form-data',
  },
}

// busboy's parse errors carry no code, only these messages.
const BUSBOY_PARSE_ERROR = /multipart|boundary|part header|terminated early|unexpected end/i

/** Turns what the multipart machinery threw into the answer; our own AppErrors pass through. */
function toMultipartError(error: unknown, reading: FormReading): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error
  const code = 'code' in error ? error.code : undefined
  // busboy's own cap is only a backstop (each part is capped while read); name the part if known.
  if (code === 'FST_REQ_FILE_TOO_LARGE') return reading.tooLarge(fieldnameOf(error))
  const known = typeof code === 'string' ? PLUGIN_ERRORS[code] : undefined
  if (known) {
    return new AppError(known.code, { detail: known.detail.replace('{form}', reading.form), cause: error })
  }
  if (BUSBOY_PARSE_ERROR.test(error.message)) {
    return new AppError('MALFORMED_BODY', {
      detail: 'The multipart/form-data body is malformed',
      cause: error,
    })
  }
  return error
}

function fieldnameOf(error: Error): string {
  const part = 'part' in error ? error.part : undefined
  const name = typeof part === 'object' && part !== null && 'fieldname' in part ? part.fieldname : undefined
  return typeof name === 'string' ? name : ''
}
