import { Readable } from 'node:stream'

/**
 * A request body made of a JSON text with one large binary written into it as base64, produced chunk
 * by chunk while it is sent instead of built whole (docs/decisions/upload-streaming.md, "Memory").
 * Its length is known before a byte is encoded, so it goes out with a Content-Length, and every
 * attempt (a re-send after a 401) gets a fresh stream over the same bytes.
 */
export interface StreamedBody {
  byteLength: number
  /** A new stream of the body's bytes; each call starts from the beginning. */
  open: () => Readable
}

// 48 KiB of the binary is 64 KiB of base64. Whole 3-byte groups encode without padding, so the base64
// of consecutive chunks concatenates into the base64 of the whole binary.
const CHUNK_BYTES = 3 * 16 * 1024

/**
 * `json` with `slotValue` (an empty string value in it, e.g. `"document_file":""`, found once) filled
 * with `prefix` and the base64 of `binary`. The binary is encoded one chunk at a time as the socket
 * takes it, so an upload holds its file plus a chunk, not a second, 4/3-sized copy.
 */
export function base64IntoJson(
  json: string,
  slotValue: string,
  prefix: string,
  binary: Buffer,
): StreamedBody {
  const slot = json.indexOf(slotValue)
  if (slot < 0 || !slotValue.endsWith('""')) throw new Error(`the JSON has no empty ${slotValue}`)
  const at = slot + slotValue.length - 1
  const before = Buffer.from(json.slice(0, at) + prefix, 'utf8')
  const after = Buffer.from(json.slice(at), 'utf8')
  const byteLength = before.length + 4 * Math.ceil(binary.length / 3) + after.length
  return {
    byteLength,
    // Not object mode: the highWaterMark counts bytes, so at most one chunk waits ahead of the socket.
    open: () =>
      Readable.from(chunks(before, binary, after), { objectMode: false, highWaterMark: CHUNK_BYTES }),
  }
}

function* chunks(before: Buffer, binary: Buffer, after: Buffer): Generator<Buffer> {
  yield before
  for (let start = 0; start < binary.length; start += CHUNK_BYTES) {
    // base64 is ASCII: latin1 copies its characters into bytes one for one.
    yield Buffer.from(binary.toString('base64', start, start + CHUNK_BYTES), 'latin1')
  }
  yield after
}
