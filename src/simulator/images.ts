/**
 * Checks a KTP or selfie photo (docs/privy-contract.md §3.1: base64 JPEG/PNG) by its content, not by what the
 * client claims: a client that sends a PDF, a file path or half-encoded bytes must be caught here.
 */

const DATA_URL_PREFIX = /^data:([^;,]*);base64,/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const DECLARED_TYPES: Readonly<Record<string, ImageKind>> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/png': 'png',
}

type ImageKind = 'jpeg' | 'png'

const JPEG_MAGIC = [0xff, 0xd8, 0xff]
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length > magic.length && magic.every((byte, index) => bytes[index] === byte)
}

function detect(bytes: Buffer): ImageKind | undefined {
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg'
  if (startsWith(bytes, PNG_MAGIC)) return 'png'
  return undefined
}

/** The reason the value is not an acceptable photo, or undefined when it is one. */
export function imageProblem(value: string): string | undefined {
  let encoded = value
  let declared: ImageKind | undefined
  const prefix = DATA_URL_PREFIX.exec(value)
  if (prefix) {
    declared = DECLARED_TYPES[(prefix[1] ?? '').toLowerCase()]
    if (declared === undefined)
      return 'must be a JPEG or PNG image (data URL type is not image/jpeg or image/png)'
    encoded = value.slice(prefix[0].length)
  }
  if (encoded.length === 0) return 'must not be empty'
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return 'must be base64 (standard alphabet, padded)'
  const kind = detect(Buffer.from(encoded, 'base64'))
  if (kind === undefined) return 'must be a base64 JPEG or PNG image'
  if (declared !== undefined && declared !== kind)
    return `declares image/${declared} but holds a ${kind.toUpperCase()}`
  return undefined
}
