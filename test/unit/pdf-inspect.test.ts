import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { inspectPdf } from '../../src/pdf/index.js'
import * as images from '../fixtures/images/images.js'
import * as pdfs from '../fixtures/pdf/pdfs.js'

const MB = 1_048_576

/** The refusal `inspectPdf` throws, as status and the one field error it carries. */
async function refusal(bytes: Buffer | Promise<Buffer>, options?: Parameters<typeof inspectPdf>[1]) {
  const error = await inspectPdf(await bytes, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  expect(error.options.errors).toHaveLength(1)
  return {
    status: error.status,
    path: error.options.errors?.[0]?.path,
    message: error.options.errors?.[0]?.message,
  }
}

const box = (width: number, height: number, x = 0, y = 0) => ({ x, y, width, height })

describe('inspectPdf: page geometry', () => {
  it.each([
    ['A4', pdfs.a4, 595.28, 841.89],
    ['US Letter', pdfs.letter, 612, 792],
  ])('measures an %s page', async (_name, make, width, height) => {
    expect(await inspectPdf(await make())).toEqual({
      pageCount: 1,
      pages: [{ number: 1, width, height, rotation: 0, mediaBox: box(width, height) }],
    })
  })

  it('measures each page of a document that mixes A4, Letter and A5, in order', async () => {
    const info = await inspectPdf(await pdfs.multiPage())
    expect(info.pageCount).toBe(3)
    expect(info.pages.map((page) => [page.number, page.width, page.height])).toEqual([
      [1, 595.28, 841.89],
      [2, 612, 792],
      [3, 419.53, 595.28],
    ])
  })

  it('reads a file saved with object streams and a cross-reference stream (pdf-lib default)', async () => {
    const info = await inspectPdf(await pdfs.a4WithObjectStreams())
    expect(info.pageCount).toBe(2)
    expect(info.pages[1]).toMatchObject({ width: 595.28, height: 841.89 })
  })

  it('inherits the MediaBox from the /Pages node when the page has none', async () => {
    const info = await inspectPdf(await pdfs.inheritedMediaBoxA4())
    expect(info.pages[0]).toMatchObject({ width: 595.28, height: 841.89, mediaBox: box(595.28, 841.89) })
  })

  it('inherits through a nested page tree, the nearest ancestor winning', async () => {
    const info = await inspectPdf(pdfs.nestedPageTree())
    expect(info.pages.map((page) => [page.width, page.height, page.rotation])).toEqual([
      [792, 612, 90], // Letter and /Rotate 90 from the intermediate node
      [595.28, 841.89, 0], // its own A4 and /Rotate 0 override both
      [419.53, 595.28, 0], // A5 from the root, not the sibling node's Letter
    ])
  })

  it.each([
    [90, 841.89, 595.28],
    [180, 595.28, 841.89],
    [270, 841.89, 595.28],
  ] as const)('swaps the visible size of an A4 page with /Rotate %i', async (angle, width, height) => {
    const [page] = (await inspectPdf(await pdfs.rotatedA4(angle))).pages
    expect(page).toMatchObject({ rotation: angle, width, height, mediaBox: box(595.28, 841.89) })
  })

  it('normalises /Rotate -90 to 270, and treats /Rotate 45 as 0 as pdf.js does', async () => {
    expect((await inspectPdf(pdfs.rotateMinus90())).pages[0]).toMatchObject({ rotation: 270, width: 841.89 })
    expect((await inspectPdf(pdfs.rotate45())).pages[0]).toMatchObject({ rotation: 0, width: 595.28 })
  })

  it('uses the CropBox, clipped to the MediaBox, as the visible page', async () => {
    const [page] = (await inspectPdf(await pdfs.croppedA4())).pages
    expect(page).toEqual({
      number: 1,
      width: 500,
      height: 700,
      rotation: 0,
      mediaBox: box(595.28, 841.89),
      cropBox: box(500, 700, 50, 60),
    })
  })

  it('ignores a CropBox that misses the MediaBox entirely, as readers do', async () => {
    const [page] = (await inspectPdf(pdfs.cropBoxOffPage())).pages
    expect(page).toMatchObject({ width: 595.28, height: 841.89 })
    expect(page?.cropBox).toBeUndefined()
  })

  it('reads a MediaBox written corner-first from the top-right, where pdf-lib sees a negative size', async () => {
    expect((await inspectPdf(pdfs.reversedMediaBox())).pages[0]?.mediaBox).toEqual(box(595.28, 841.89))
    const viaPdfLib = (await PDFDocument.load(pdfs.reversedMediaBox())).getPage(0).getMediaBox()
    expect(viaPdfLib.width).toBe(-595.28)
  })
})

describe('inspectPdf: refusals', () => {
  it('refuses an empty file with 400', async () => {
    expect(await refusal(Buffer.alloc(0))).toEqual({
      status: 400,
      path: 'file',
      message: 'must not be empty',
    })
  })

  it('refuses a PNG named .pdf before parsing it', async () => {
    expect(await refusal(images.validPng())).toEqual({ status: 422, path: 'file', message: 'is not a PDF' })
  })

  it('refuses a PDF header followed by garbage', async () => {
    const garbage = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      Buffer.alloc(4000, 'garbage '),
      Buffer.from('%%EOF'),
    ])
    expect(await refusal(garbage)).toMatchObject({
      status: 422,
      message: expect.stringMatching(/^could not be read as a PDF/),
    })
  })

  it('refuses a truncated upload by its missing %%EOF, even when every object before the cut parses', async () => {
    const whole = await pdfs.a4()
    const cut = whole.subarray(0, whole.indexOf('xref'))
    expect(await refusal(cut)).toMatchObject({
      status: 422,
      message: 'could not be read as a PDF: it ends early (no %%EOF marker), was the upload cut short?',
    })
  })

  it('refuses a file cut mid-object, even with an %%EOF pasted after the cut', async () => {
    const whole = await pdfs.a4()
    const patched = Buffer.concat([whole.subarray(0, 150), Buffer.from('\n%%EOF\n')])
    expect(await refusal(patched)).toEqual({
      status: 422,
      path: 'file',
      message: 'could not be read as a PDF',
    })
  })

  it('refuses an encrypted PDF, which pdf-lib itself refuses to load', async () => {
    const bytes = await pdfs.encrypted()
    // pdf-lib's EncryptedPDFError is compiled to ES5, so instanceof does not hold; its message does.
    await expect(PDFDocument.load(bytes)).rejects.toThrow(/is encrypted/)
    expect(await refusal(bytes)).toEqual({
      status: 422,
      path: 'file',
      message: 'is encrypted; upload it without a password',
    })
  })

  it('names encryption when every object is in an encrypted object stream and nothing parses', async () => {
    expect(await refusal(pdfs.encryptedWithObjectStreams())).toEqual({
      status: 422,
      path: 'file',
      message: 'is encrypted; upload it without a password',
    })
  })

  it('refuses a trailer /Encrypt that points nowhere, which pdf-lib lets through', async () => {
    const bytes = await pdfs.encryptedDangling()
    await expect(PDFDocument.load(bytes)).resolves.toBeInstanceOf(PDFDocument)
    expect(await refusal(bytes)).toMatchObject({
      status: 422,
      message: 'is encrypted; upload it without a password',
    })
  })

  it.each([
    ['no pages', pdfs.noPages, 'has no pages'],
    [
      'a page without a MediaBox',
      pdfs.noMediaBox,
      'could not be read as a PDF: it has no usable MediaBox on page 1',
    ],
    [
      'a page tree that lists itself',
      pdfs.loopingPageTree,
      'could not be read as a PDF: it has a page tree that loops or repeats a page',
    ],
    [
      'a /Parent cycle (pdf-lib overflows its stack)',
      pdfs.loopingParents,
      'could not be read as a PDF: it has no usable MediaBox on page 1',
    ],
    ['200,000 nested arrays', pdfs.deeplyNested, 'could not be read as a PDF'],
    ['an object stream behind two filters', pdfs.chainedFilterObjectStream, 'could not be read as a PDF'],
  ])('refuses %s with 422', async (_case, make, message) => {
    expect(await refusal(make())).toEqual({ status: 422, path: 'file', message })
  })
})

describe('inspectPdf: active content', () => {
  it.each([
    ['an /OpenAction running JavaScript', pdfs.openActionJavaScript, 'contains JavaScript'],
    ['a document-level script (/Names /JavaScript)', pdfs.documentJavaScript, 'contains JavaScript'],
    ['names escaped in lower-case hex (/#4aavaScript)', pdfs.escapedJavaScript, 'contains JavaScript'],
    ['a link that launches a program', pdfs.launchAction, 'contains a Launch action'],
    ['an XFA form', pdfs.xfaForm, 'is an XFA form'],
  ])('refuses %s with 422', async (_case, make, start) => {
    const { status, message } = await refusal(make())
    expect(status).toBe(422)
    expect(message?.startsWith(start)).toBe(true)
  })

  it('accepts ordinary navigation: an /OpenAction to page 1 and a web link', async () => {
    expect((await inspectPdf(await pdfs.benignActions())).pageCount).toBe(1)
  })
})

describe('inspectPdf: decompression bombs', () => {
  it.each([
    ['/Type /ObjStm', false],
    ['/Type given by reference (nothing in the bytes says ObjStm)', true],
  ])(
    'refuses an object stream that expands past the limit, %s, without expanding it',
    async (_case, byRef) => {
      // 100 MB of spaces in about 100 KB; pdf-lib alone would allocate all of it.
      const bomb = pdfs.objectStreamBomb(100 * MB, byRef)
      expect(bomb.length).toBeLessThan(150_000)
      const before = process.memoryUsage().arrayBuffers
      expect(await refusal(bomb, { maxExpandedBytes: 4 * MB })).toEqual({
        status: 422,
        path: 'file',
        message: 'expands to more than 4 MB when decompressed',
      })
      // Expanding would allocate the whole 100 MB; stopping at the cap keeps it far below that.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MB)
    },
  )

  it('accepts object streams that stay under the limit', async () => {
    const bytes = await pdfs.a4WithObjectStreams()
    await expect(inspectPdf(bytes, { maxExpandedBytes: 64 * 1024 })).resolves.toMatchObject({ pageCount: 2 })
    expect((await refusal(bytes, { maxExpandedBytes: 100 })).message).toBe(
      'expands to more than 100 bytes when decompressed',
    )
  })
})
