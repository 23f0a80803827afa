import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { inspectPdf } from '../../src/pdf/index.js'
import { countObjectStreamTokens } from '../../src/pdf/object-stream-tokens.js'
import { manyPages, manyPagesInObjectStreams, nameFlood, numberFlood } from '../fixtures/pdf/hostile.js'

async function refusalOf(bytes: Buffer, options?: Parameters<typeof inspectPdf>[1]) {
  const error = await inspectPdf(bytes, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (error === undefined) return undefined
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return { status: error.status, code: error.code, message: error.options.errors?.[0]?.message }
}

describe('inspectPdf: the object cap', () => {
  it('refuses an array of 600,000 numbers past the default 500,000 objects, as PDF_TOO_COMPLEX', async () => {
    expect(await refusalOf(numberFlood(600_000))).toEqual({
      status: 422,
      code: 'PDF_TOO_COMPLEX',
      message: 'has more than 500,000 PDF objects, the most this gateway reads in one file',
    })
  })

  it('counts dictionary keys too: 1,200 names in one dictionary pass a cap of 1,000', async () => {
    // 600 keys and 600 values: values alone would stay under the cap.
    expect(await refusalOf(nameFlood(1_200), { maxObjects: 1_000 })).toMatchObject({
      code: 'PDF_TOO_COMPLEX',
      message: expect.stringContaining('more than 1,000 PDF objects'),
    })
    expect(await refusalOf(nameFlood(1_200), { maxObjects: 2_000 })).toBeUndefined()
  })

  it('counts the objects inside compressed object streams', async () => {
    const bytes = await manyPagesInObjectStreams(40)
    expect(await refusalOf(bytes, { maxObjects: 200 })).toMatchObject({ code: 'PDF_TOO_COMPLEX' })
    expect(await refusalOf(bytes, { maxObjects: 5_000 })).toBeUndefined()
  })
})

describe('inspectPdf: the page cap', () => {
  it('refuses 2,001 pages by default (DOCUMENT_MAX_PAGES 2,000), before reading them all', async () => {
    expect(await refusalOf(manyPages(2_001))).toEqual({
      status: 422,
      code: 'PDF_TOO_COMPLEX',
      message: 'has more than 2,000 pages, the most this gateway accepts',
    })
  })

  it('accepts exactly the cap and refuses one page more', async () => {
    const tenPages = manyPages(10)
    await expect(inspectPdf(tenPages, { maxPages: 10 })).resolves.toMatchObject({ pageCount: 10 })
    expect(await refusalOf(tenPages, { maxPages: 9 })).toMatchObject({
      code: 'PDF_TOO_COMPLEX',
      message: 'has more than 9 pages, the most this gateway accepts',
    })
  })

  it('counts pages kept in object streams', async () => {
    const bytes = await manyPagesInObjectStreams(30)
    await expect(inspectPdf(bytes, { maxPages: 30 })).resolves.toMatchObject({ pageCount: 30 })
    expect(await refusalOf(bytes, { maxPages: 29 })).toMatchObject({ code: 'PDF_TOO_COMPLEX' })
  })
})

describe('countObjectStreamTokens', () => {
  const text =
    '1 0 2 15 << /Type /Page /Parent 3 0 R >> [1 2 (a (b) \\) c) <00ff>] % /Page 1 2 3\n/Page /Pages '

  it('counts the tokens that start values, and /Page names, skipping strings and comments', () => {
    const counter = countObjectStreamTokens()
    counter.add(Buffer.from(text, 'latin1'))
    // 4 header numbers, <<, /Type, /Page, /Parent, 3 0 R (3), [, 1, 2, the string, the hex string, /Page, /Pages
    expect({ objects: counter.objects, pages: counter.pages }).toEqual({ objects: 18, pages: 2 })
  })

  it('gives the same answer when the stream arrives one byte at a time', () => {
    const counter = countObjectStreamTokens()
    for (const byte of Buffer.from(text, 'latin1')) counter.add(Uint8Array.of(byte))
    expect({ objects: counter.objects, pages: counter.pages }).toEqual({ objects: 18, pages: 2 })
  })
})
