import { AppError } from '../../../errors/app-error.js'
import type { ErrorCode } from '../../../errors/error-codes.js'
import { FILE_FIELD, METADATA_FIELD, partTooLarge } from './pdf-errors.js'

export interface PartCaps {
  maxBytes: number
  maxMetadataBytes: number
}

/** @fastify/multipart's and busboy's failures, as the document upload answers them. */
const PLUGIN_ERRORS: Readonly<Record<string, { code: ErrorCode; detail: string }>> = {
  FST_PARTS_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more parts than a document upload may have',
  },
  FST_FILES_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more files than a document upload may have',
  },
  FST_FIELDS_LIMIT: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The form has more text fields than a document upload may have',
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
export function toUploadError(error: unknown, caps: PartCaps): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error
  const code = 'code' in error ? error.code : undefined
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    // busboy's own cap is only a backstop (each part is capped while read); name the part if known.
    if (fieldnameOf(error) === METADATA_FIELD) return partTooLarge(METADATA_FIELD, caps.maxMetadataBytes)
    return partTooLarge(FILE_FIELD, caps.maxBytes)
  }
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

function fieldnameOf(error: Error): unknown {
  const part = 'part' in error ? error.part : undefined
  return typeof part === 'object' && part !== null && 'fieldname' in part ? part.fieldname : undefined
}
