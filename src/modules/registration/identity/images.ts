import sharp from 'sharp'
import { fieldTooLarge, invalidField } from '../../../http/field-errors.js'
import type { ImageField } from './image-field.js'

export type ImageFormat = 'jpeg' | 'png'

export interface ImageLimits {
  maxBytes: number
  /** Width × height above which the image is refused before decoding; default 40 megapixels. */
  maxPixels?: number
}

export interface InspectedImage {
  format: ImageFormat
  width: number
  height: number
}

/** A 12 MP phone photo is well inside; a crafted 20000×20000 PNG of a few KB (a decompression bomb) is not. */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
/** Smaller than this cannot show a readable KTP or a face Privy can match. */
export const MIN_IMAGE_SIDE = 200

const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff])
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The format the bytes announce, whatever the client called the file or declared as its type. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg'
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png'
  return undefined
}

/**
 * Checks a KTP or selfie photo by its content: size cap, JPEG/PNG signature, pixel cap, minimum size,
 * and a full decode so a truncated or corrupt file never reaches Privy.
 *
 * The bytes are not changed: re-encoding (to strip EXIF, say) would alter the very image Privy judges
 * for originality (reject RC04), so they are forwarded as received and never stored. Decoding runs in
 * sharp's thread pool; the event loop only does the constant-time checks.
 */
export async function inspectImage(
  bytes: Buffer,
  field: ImageField,
  limits: ImageLimits,
): Promise<InspectedImage> {
  if (bytes.length > limits.maxBytes) throw fieldTooLarge(field, limits.maxBytes)
  if (bytes.length === 0) throw invalidField(field, 'must not be empty')
  const format = detectImageFormat(bytes)
  if (format === undefined) throw invalidField(field, 'must be a JPEG or PNG image')

  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS
  // The header alone says how much memory decoding would take: read it without the pixel limit (it
  // allocates no pixels) so an oversized image is named as such, and refuse before decoding any of it.
  const {
    width,
    height,
    format: decodedAs,
  } = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch((cause: unknown) => {
      throw undecodable(field, cause)
    })
  if (decodedAs !== format || width === undefined || height === undefined) throw undecodable(field)
  if (width * height > maxPixels) {
    throw invalidField(field, `has too many pixels (at most ${maxPixels / 1_000_000} megapixels)`)
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw invalidField(
      field,
      `is too small to be a photo (at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE} pixels)`,
    )
  }
  // 'error' refuses truncation and damaged data (bad PNG CRC, premature JPEG end) but tolerates the
  // libjpeg warnings many camera files carry ("extraneous bytes before marker"), which 'warning' refuses.
  // A thumbnail reads every byte of image data (JPEG shrink-on-load still entropy-decodes the whole
  // scan) without a full-size output: 12 MP costs ~45 ms instead of ~110 ms and a 36 MB buffer.
  await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true })
    .resize({ width: 64, height: 64, fit: 'inside' })
    .raw()
    .toBuffer()
    .catch((cause: unknown) => {
      throw undecodable(field, cause)
    })
  return { format, width, height }
}

function undecodable(field: ImageField, cause?: unknown) {
  // The cause is libvips' message, kept for debugging; it never contains image bytes.
  return invalidField(field, 'could not be decoded as an image', cause)
}

function startsWith(bytes: Uint8Array, signature: Buffer): boolean {
  return bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte)
}
