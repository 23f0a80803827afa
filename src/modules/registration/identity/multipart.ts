import type { MultipartFile, MultipartValue } from '@fastify/multipart'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../../errors/app-error.js'
import type { ErrorCode } from '../../../errors/error-codes.js'
import { fieldTooLarge, type ImageField, invalidField } from './identity-errors.js'

export interface RegistrationUploadLimits {
  ktpMaxBytes: number
  selfieMaxBytes: number
  /** Largest text field; a registration's longest is an email (254) or a name. */
  maxFieldBytes: number
}

export interface RegistrationMultipart {
  fields: Record<string, string>
  files: { ktp?: Buffer; selfie?: Buffer }
}

/**
 * busboy limits for the registration route. Its defaults are loose (fields, files and parts unlimited),
 * so every count is set: 2 files, 12 text fields (the registration has 7, leaving room for the optional
 * ones) and 14 parts in all. `fileSize` is the larger cap + 1 so busboy only backstops: each file's own
 * cap is enforced while reading it, and the + 1 lets that check see a file one byte over its cap.
 */
export function registrationMultipartLimits(limits: RegistrationUploadLimits) {
  return {
    files: 2,
    fields: 12,
    parts: 14,
    fileSize: Math.max(limits.ktpMaxBytes, limits.selfieMaxBytes) + 1,
    fieldSize: limits.maxFieldBytes,
    headerPairs: 100,
  }
}

/**
 * Reads a `multipart/form-data` registration as a stream: text fields as strings, `ktp` and `selfie`
 * each accumulated chunk by chunk and abandoned as soon as it passes its own cap, so no more than
 * cap + one chunk of a file is ever held. A refusal is answered at once: parsing stops there, nothing
 * after it is kept, and the caller learns about it without waiting for the rest of the upload.
 *
 * The bytes are only collected here; `inspectImage` judges them.
 */
export async function readRegistrationMultipart(
  request: FastifyRequest,
  limits: RegistrationUploadLimits,
): Promise<RegistrationMultipart> {
  const fields: Record<string, string> = {}
  const files: RegistrationMultipart['files'] = {}
  const caps: Record<ImageField, number> = { ktp: limits.ktpMaxBytes, selfie: limits.selfieMaxBytes }
  try {
    // Passed here as well as at registration, so the caps hold whatever scope the route is in.
    for await (const part of request.parts({ limits: registrationMultipartLimits(limits) })) {
      if (part.type === 'file') {
        const field = imageField(part)
        if (files[field] !== undefined) throw refusePart(part, 'must be sent once')
        files[field] = await readCapped(part, field, caps[field])
      } else {
        const [name, value] = textField(part, limits.maxFieldBytes)
        if (Object.hasOwn(fields, name)) throw invalidField(name, 'must be sent once')
        fields[name] = value
      }
    }
  } catch (error) {
    discardRestOfBody(request)
    throw toAppError(error, caps)
  }
  return { fields, files }
}

/**
 * After a refusal the plugin stops parsing but leaves the rest of the body unread, and Node then keeps
 * the connection waiting for someone to read it: the next request on that connection is never
 * answered, and a graceful shutdown waits for it. Reading the rest into the void lets the request end;
 * `closeConnectionIfBodyUnread` spares the client sending it.
 */
function discardRestOfBody(request: FastifyRequest): void {
  request.raw.unpipe()
  request.raw.resume()
}

/**
 * `onError` hook for the multipart route: when the answer goes out before the body was read to the end
 * (a refusal while streaming), close the connection so the client stops uploading the rest. Fastify
 * does the same when a body parser fails; `request.parts()` streams after parsing, so it cannot.
 */
export async function closeConnectionIfBodyUnread(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!request.raw.complete) reply.header('connection', 'close')
}

function imageField(part: MultipartFile): ImageField {
  if (isImageField(part.fieldname)) return part.fieldname
  throw refusePart(part, 'is not an accepted file part (only ktp and selfie are)')
}

function textField(part: MultipartValue, maxFieldBytes: number): [string, string] {
  const name = part.fieldname
  if (part.fieldnameTruncated) throw invalidField(name, 'has a part name that is too long')
  if (isImageField(name)) throw invalidField(name, 'must be sent as a file part')
  // busboy cuts a value at fieldSize without failing; a cut value must not pass for the real one.
  if (part.valueTruncated) {
    const message = `must be at most ${maxFieldBytes} bytes`
    throw new AppError('PAYLOAD_TOO_LARGE', {
      detail: `${name} ${message}`,
      errors: [{ path: name, message }],
    })
  }
  // @fastify/multipart turns parts declared application/json into objects; a registration has none.
  if (typeof part.value !== 'string') throw invalidField(name, 'must be a plain text field')
  return [name, part.value]
}

async function readCapped(part: MultipartFile, field: ImageField, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  // Leaving this loop by a throw destroys the stream, which ends the parsing of the request.
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > maxBytes) throw fieldTooLarge(field, maxBytes)
    chunks.push(chunk)
  }
  if (part.file.truncated) throw fieldTooLarge(field, maxBytes)
  return Buffer.concat(chunks, total)
}

/** Refuses a file part without reading it; destroying its stream stops busboy, so nothing hangs. */
function refusePart(part: MultipartFile, message: string): AppError {
  part.file.destroy()
  return invalidField(part.fieldname, message)
}

function isImageField(name: string): name is ImageField {
  return name === 'ktp' || name === 'selfie'
}

const PLUGIN_ERRORS: Readonly<Record<string, { code: ErrorCode; detail: string }>> = {
  FST_PARTS_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more parts than a registration may have',
  },
  FST_FILES_LIMIT: { code: 'PAYLOAD_TOO_LARGE', detail: 'The form has more files than ktp and selfie' },
  FST_FIELDS_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more text fields than a registration may have',
  },
  FST_REQ_FILE_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', detail: 'A file is larger than allowed' },
  FST_PROTO_VIOLATION: { code: 'MALFORMED_BODY', detail: 'A part name is not allowed' },
  FST_INVALID_JSON_FIELD_ERROR: {
    code: 'MALFORMED_BODY',
    detail: 'A part declared as JSON is not valid JSON',
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

function toAppError(error: unknown, caps: Record<ImageField, number>): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error
  const { code, part } = error as { code?: unknown; part?: { fieldname?: unknown } }
  const fieldname = typeof part?.fieldname === 'string' ? part.fieldname : ''
  if (code === 'FST_REQ_FILE_TOO_LARGE' && isImageField(fieldname))
    return fieldTooLarge(fieldname, caps[fieldname])
  const known = typeof code === 'string' ? PLUGIN_ERRORS[code] : undefined
  if (known) return new AppError(known.code, { detail: known.detail, cause: error })
  if (BUSBOY_PARSE_ERROR.test(error.message)) {
    return new AppError('MALFORMED_BODY', {
      detail: 'The multipart/form-data body is malformed',
      cause: error,
    })
  }
  return error
}
