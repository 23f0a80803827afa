import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { detectImageFormat, inspectImage } from '../../src/modules/registration/identity/index.js'
import * as fixtures from '../fixtures/images/images.js'

const MB = 1_048_576
const limits = { maxBytes: 8 * MB }

/** The AppError `promise` rejects with; fails the test when it resolves or rejects with something else. */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  )
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return error
}

describe('inspectImage accepts real photos', () => {
  it('a 640×480 JPEG', async () => {
    expect(await inspectImage(await fixtures.validJpeg(), 'ktp', limits)).toEqual({
      format: 'jpeg',
      width: 640,
      height: 480,
    })
  })

  it('a 640×480 PNG, whatever the client named it: only the content counts', async () => {
    expect(await inspectImage(await fixtures.validPng(), 'selfie', limits)).toEqual({
      format: 'png',
      width: 640,
      height: 480,
    })
  })

  it('a file exactly at the cap', async () => {
    const jpeg = await fixtures.validJpeg()
    await expect(inspectImage(jpeg, 'ktp', { maxBytes: jpeg.length })).resolves.toMatchObject({
      format: 'jpeg',
    })
  })
})

describe('inspectImage refuses', () => {
  it('a file one byte over the cap with 413, naming the field and the cap in MB', async () => {
    const error = await refusal(inspectImage(Buffer.alloc(2 * MB + 1, 0xff), 'ktp', { maxBytes: 2 * MB }))
    expect(error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(error.status).toBe(413)
    expect(error.options.errors).toEqual([{ path: 'ktp', message: 'must be at most 2 MB' }])
  })

  it('an empty file', async () => {
    const error = await refusal(inspectImage(Buffer.alloc(0), 'selfie', limits))
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.options.errors).toEqual([{ path: 'selfie', message: 'must not be empty' }])
  })

  it.each([
    ['a PDF', fixtures.pdf],
    ['a GIF', fixtures.gif],
    ['a WebP', fixtures.webp],
    ['a HEIC', fixtures.heic],
    ['text', fixtures.text],
  ])('%s, by its signature', async (_name, fixture) => {
    const error = await refusal(inspectImage(await fixture(), 'ktp', limits))
    expect(error.status).toBe(400)
    expect(error.options.errors).toEqual([{ path: 'ktp', message: 'must be a JPEG or PNG image' }])
  })

  it('a truncated JPEG (the header is fine, the data ends early)', async () => {
    const truncated = await fixtures.truncatedJpeg()
    expect(detectImageFormat(truncated)).toBe('jpeg')
    const error = await refusal(inspectImage(truncated, 'ktp', limits))
    expect(error.options.errors).toEqual([{ path: 'ktp', message: 'could not be decoded as an image' }])
  })

  it('a PNG whose data was damaged (CRC mismatch)', async () => {
    const damaged = Buffer.from(await fixtures.validPng())
    damaged.writeUInt8((damaged[damaged.length >> 1] ?? 0) ^ 0xff, damaged.length >> 1)
    const error = await refusal(inspectImage(damaged, 'selfie', limits))
    expect(error.options.errors).toEqual([{ path: 'selfie', message: 'could not be decoded as an image' }])
  })

  it('bytes that only start like a JPEG', async () => {
    const error = await refusal(inspectImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'ktp', limits))
    expect(error.options.errors?.[0]?.message).toBe('could not be decoded as an image')
  })

  it('a 1×1 image as too small to be a photo', async () => {
    const error = await refusal(inspectImage(await fixtures.tinyPng(), 'selfie', limits))
    expect(error.options.errors).toEqual([
      { path: 'selfie', message: 'is too small to be a photo (at least 200×200 pixels)' },
    ])
  })

  it('a decompression bomb from its header, before decoding a pixel', async () => {
    const bomb = await fixtures.bombPng()
    expect(bomb.length).toBeLessThan(100_000)
    const error = await refusal(inspectImage(bomb, 'ktp', limits))
    // Refused by the pixel count of the header, which inspectImage reads before any decoding.
    expect(error.options.errors).toEqual([
      { path: 'ktp', message: 'has too many pixels (at most 40 megapixels)' },
    ])
  })

  it('more pixels than a caller-set maxPixels', async () => {
    const error = await refusal(
      inspectImage(await fixtures.validJpeg(), 'ktp', { ...limits, maxPixels: 250_000 }),
    )
    expect(error.options.errors?.[0]?.message).toBe('has too many pixels (at most 0.25 megapixels)')
  })

  it('without ever putting image bytes in the error', async () => {
    const truncated = await fixtures.truncatedJpeg()
    const error = await refusal(inspectImage(truncated, 'ktp', limits))
    const said = JSON.stringify({ message: error.message, options: { ...error.options, cause: undefined } })
    expect(said).not.toContain(truncated.subarray(0, 16).toString('base64'))
    expect(said).not.toContain(truncated.subarray(0, 16).toString('hex'))
    expect(String(error.options.cause)).not.toContain(truncated.subarray(0, 16).toString('base64'))
  })
})

describe('inspectImage decodes off the event loop', () => {
  it('a 12-megapixel, ~4 MB JPEG, and the same photo as a 33 MB PNG: the event loop keeps ticking', async () => {
    const jpeg = await fixtures.largeJpeg()
    const png = await fixtures.largePng()
    expect(jpeg.length).toBeGreaterThan(3 * MB)
    const big = { maxBytes: 64 * MB }
    await inspectImage(jpeg, 'ktp', big) // warm-up: the first use loads libvips' loaders
    await inspectImage(png, 'ktp', big)

    let maxGap = 0
    let last = performance.now()
    const ticker = setInterval(() => {
      const now = performance.now()
      maxGap = Math.max(maxGap, now - last)
      last = now
    }, 2)
    const timed = async (bytes: Buffer) => {
      const started = performance.now()
      expect(await inspectImage(bytes, 'ktp', big)).toMatchObject({ width: 4000, height: 3000 })
      return performance.now() - started
    }
    const jpegMs = await timed(jpeg)
    const pngMs = await timed(png)
    clearInterval(ticker)

    console.info(
      `inspectImage: ${(jpeg.length / MB).toFixed(1)} MB 12 MP JPEG ${jpegMs.toFixed(0)} ms; ` +
        `${(png.length / MB).toFixed(1)} MB PNG ${pngMs.toFixed(0)} ms; longest event-loop gap ${maxGap.toFixed(0)} ms`,
    )
    // Decoding on the main thread would show as one gap as long as the PNG decode itself.
    expect(maxGap).toBeLessThan(pngMs / 2)
  }, 120_000) // two large fixtures are drawn first: minutes on a machine under heavy load
})
