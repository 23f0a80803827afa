import { fieldTooLarge, invalidField } from '../../../http/field-errors.js'
import type { ImageField } from './image-field.js'

/**
 * Images sent in JSON: standard base64 (RFC 4648 §4, padded), optionally as a data URL declaring
 * image/jpeg, image/jpg or image/png; line breaks tolerated, spaces and the URL-safe alphabet refused.
 * The content is judged by `inspectImage`, as for a multipart file. Why: docs/decisions/upload-streaming.md.
 */

const DATA_URL_HEAD = /^data:([^;,]{0,40});base64,/i
const ACCEPTED_MEDIA_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png'])
const LONGEST_PREFIX = 'data:image/jpeg;base64,'.length
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const LINE_BREAKS = /\r?\n/g

/** Length of the padded base64 text of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3)
}

/**
 * The longest string `decodeBase64Image` can accept for a cap: prefix, base64 text and one CRLF per
 * 64 characters (the shortest common wrapping). Use it for the JSON body limit and the schema's `max`.
 */
export function maxBase64ImageLength(maxBytes: number): number {
  const encoded = base64Length(maxBytes)
  return LONGEST_PREFIX + encoded + 2 * Math.ceil(encoded / 64)
}

/**
 * Decodes a base64 image for `field`. Sizes are checked on the text before anything is copied or
 * decoded, so a 50 MB string costs no 37 MB buffer.
 */
export function decodeBase64Image(value: string, field: ImageField, maxBytes: number): Buffer {
  if (value.length > maxBase64ImageLength(maxBytes)) throw fieldTooLarge(field, maxBytes)

  let payload = value
  if (/^data:/i.test(value)) {
    const head = DATA_URL_HEAD.exec(value.slice(0, 64))
    if (head === null) {
      throw invalidField(field, 'must be plain base64 or a data URL of the form data:image/jpeg;base64,…')
    }
    if (!ACCEPTED_MEDIA_TYPES.has((head[1] ?? '').toLowerCase())) {
      throw invalidField(
        field,
        'must be a JPEG or PNG image (the data URL must declare image/jpeg or image/png)',
      )
    }
    payload = value.slice(head[0].length)
  }
  if (payload.includes('\n')) payload = payload.replace(LINE_BREAKS, '')

  if (payload.length === 0) throw invalidField(field, 'must not be empty')
  if (payload.length % 4 !== 0 || !BASE64.test(payload)) {
    throw invalidField(field, 'must be base64 (standard alphabet, padded)')
  }
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0
  if ((payload.length / 4) * 3 - padding > maxBytes) throw fieldTooLarge(field, maxBytes)
  return Buffer.from(payload, 'base64')
}
