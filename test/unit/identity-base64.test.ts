import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import {
  base64Length,
  decodeBase64Image,
  inspectImage,
  maxBase64ImageLength,
} from '../../src/modules/registration/identity/index.js'
import { photoBase64 } from '../../src/privy/resources/registrations.js'
import * as fixtures from '../fixtures/images/images.js'

const MB = 1_048_576
const CAP = 4 * MB

function refusal(run: () => unknown): AppError {
  try {
    run()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, but nothing was thrown')
}

describe('decodeBase64Image', () => {
  it.each([
    ['JPEG', fixtures.validJpeg, ''],
    ['JPEG', fixtures.validJpeg, 'data:image/jpeg;base64,'],
    ['JPEG', fixtures.validJpeg, 'data:image/jpg;base64,'],
    ['PNG', fixtures.validPng, ''],
    ['PNG', fixtures.validPng, 'data:image/png;base64,'],
    ['PNG', fixtures.validPng, 'DATA:IMAGE/PNG;BASE64,'],
  ])('decodes a %s with prefix %j to the exact bytes', async (_kind, fixture, prefix) => {
    const bytes = await fixture()
    expect(decodeBase64Image(prefix + bytes.toString('base64'), 'ktp', CAP).equals(bytes)).toBe(true)
  })

  it('ignores the declared type: a PNG declared as image/jpeg decodes, and inspectImage calls it a PNG', async () => {
    const png = await fixtures.validPng()
    const bytes = decodeBase64Image(`data:image/jpeg;base64,${png.toString('base64')}`, 'selfie', CAP)
    expect(await inspectImage(bytes, 'selfie', { maxBytes: CAP })).toMatchObject({ format: 'png' })
  })

  it('tolerates line breaks (LF and CRLF) as MIME and Android encoders write them', async () => {
    const jpeg = await fixtures.validJpeg()
    const wrapped = (eol: string) => jpeg.toString('base64').replace(/.{76}/g, `$&${eol}`)
    expect(decodeBase64Image(wrapped('\n'), 'ktp', CAP).equals(jpeg)).toBe(true)
    expect(decodeBase64Image(`data:image/jpeg;base64,${wrapped('\r\n')}`, 'ktp', CAP).equals(jpeg)).toBe(true)
  })

  it('accepts exactly the cap and refuses one byte more, before decoding', () => {
    const cap = 3000
    expect(decodeBase64Image(Buffer.alloc(cap, 7).toString('base64'), 'ktp', cap)).toHaveLength(cap)
    const error = refusal(() => decodeBase64Image(Buffer.alloc(cap + 1, 7).toString('base64'), 'ktp', cap))
    expect(error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(error.options.errors).toEqual([{ path: 'ktp', message: 'must be at most 2 KB' }])
  })

  it('refuses a 50 MB string by its length alone, without allocating the decoded buffer', () => {
    const huge = 'A'.repeat(50 * MB)
    const before = process.memoryUsage().arrayBuffers
    const error = refusal(() => decodeBase64Image(huge, 'selfie', CAP))
    expect(error.status).toBe(413)
    expect(error.options.errors).toEqual([{ path: 'selfie', message: 'must be at most 4 MB' }])
    // Decoding would allocate 37.5 MB of buffer memory and scan 50 MB; a length check does neither.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MB)
  })

  it.each([
    [
      'a GIF data URL',
      'data:image/gif;base64,R0lGODlhAQABAAAAACw=',
      'must be a JPEG or PNG image (the data URL must declare image/jpeg or image/png)',
    ],
    [
      'a PDF data URL',
      'data:application/pdf;base64,JVBERi0xLjQK',
      'must be a JPEG or PNG image (the data URL must declare image/jpeg or image/png)',
    ],
    [
      'a data URL without ;base64',
      'data:image/png,iVBORw0KGgo=',
      'must be plain base64 or a data URL of the form data:image/jpeg;base64,…',
    ],
    [
      'a data URL with parameters',
      'data:image/png;name=a.png;base64,iVBORw0KGgo=',
      'must be plain base64 or a data URL of the form data:image/jpeg;base64,…',
    ],
    ['garbage', 'this is not base64!', 'must be base64 (standard alphabet, padded)'],
    ['unpadded base64', 'iVBORw0KGgo', 'must be base64 (standard alphabet, padded)'],
    ['the URL-safe alphabet', 'ab-_ab-_', 'must be base64 (standard alphabet, padded)'],
    ['spaces (a "+" mangled by form encoding)', 'iVBO Rw0K', 'must be base64 (standard alphabet, padded)'],
    ['padding in the middle', 'ab==abcd', 'must be base64 (standard alphabet, padded)'],
    ['an empty string', '', 'must not be empty'],
    ['a prefix and nothing else', 'data:image/png;base64,', 'must not be empty'],
  ])('refuses %s with 400', (_case, value, message) => {
    const error = refusal(() => decodeBase64Image(value, 'ktp', CAP))
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.options.errors).toEqual([{ path: 'ktp', message }])
  })

  it('decodes non-image base64; judging the content is inspectImage’s job', async () => {
    const bytes = decodeBase64Image((await fixtures.pdf()).toString('base64'), 'ktp', CAP)
    await expect(inspectImage(bytes, 'ktp', { maxBytes: CAP })).rejects.toMatchObject({
      options: { errors: [{ path: 'ktp', message: 'must be a JPEG or PNG image' }] },
    })
  })
})

describe('base64 lengths', () => {
  it('base64Length is the padded length', () => {
    expect(base64Length(0)).toBe(0)
    expect(base64Length(1)).toBe(4)
    expect(base64Length(3)).toBe(4)
    expect(base64Length(4)).toBe(8)
    expect(base64Length(CAP)).toBe(Buffer.alloc(CAP).toString('base64').length)
  })

  it('maxBase64ImageLength admits the longest acceptable value: prefix and CRLF every 64 characters', () => {
    const cap = 6000
    const wrapped = `data:image/jpeg;base64,${Buffer.alloc(cap, 1).toString('base64').replace(/.{64}/g, '$&\r\n')}`
    expect(wrapped.length).toBeLessThanOrEqual(maxBase64ImageLength(cap))
    expect(decodeBase64Image(wrapped, 'ktp', cap)).toHaveLength(cap)
  })
})

describe('photoBase64: what Privy receives for identity and selfie', () => {
  it('is plain base64 without a data URL prefix, and round-trips', async () => {
    const jpeg = await fixtures.validJpeg()
    const encoded = photoBase64(jpeg) ?? ''
    expect(encoded.startsWith('/9j/')).toBe(true)
    expect(decodeBase64Image(encoded, 'ktp', CAP).equals(jpeg)).toBe(true)
  })

  it('encodes only the view of a Uint8Array, not its whole backing buffer', () => {
    const backing = Buffer.from('xxABCxx')
    expect(photoBase64(new Uint8Array(backing.buffer, backing.byteOffset + 2, 3))).toBe('QUJD')
  })
})
