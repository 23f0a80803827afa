import { deflateSync } from 'node:zlib'
import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  A4_PAGE,
  documentCast,
  nothingStoredOrSent,
  type SignerUser,
  uploadForm,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

/**
 * Hostile PDFs that carry a tag: the tag search runs in the PDF worker pool under the inspection's
 * refusals plus its own bound on what it decodes, so a small file cannot make pdf.js inflate hundreds of
 * megabytes outside the worker's heap cap. Nothing of a refused upload is stored or sent to Privy.
 */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'tags-hostile', ['alice']))
})

const expectNothingSent = nothingStoredOrSent(gateway)

const TAG = '{{sign:borrower}}'

/** A one-page PDF with the tag drawn, then `extra` done to it (a second content stream, an action). */
async function taggedWith(extra: (pdf: PDFDocument) => void): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  page.drawText(TAG, { x: 60, y: 700, size: 12, font })
  extra(pdf)
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}

/** Adds a content stream of `data` with `filter` to the first page. */
const contentStream = (data: Buffer, filter: string | string[]) => (pdf: PDFDocument) => {
  const names = (Array.isArray(filter) ? filter : [filter]).map((name) => PDFName.of(name))
  const stream = pdf.context.stream(data, { Filter: names.length === 1 ? names[0] : pdf.context.obj(names) })
  pdf.getPage(0).node.addContentStream(pdf.context.register(stream))
}

async function upload(pdf: Buffer) {
  return gateway.call('POST', '/v1/documents', {
    token: officer,
    form: uploadForm(pdf, {
      title: 'Hostile tagged',
      signers: [{ privy_id: alice.privyId, placements: [{ anchor: TAG, width: 150, height: 75 }] }],
    }),
  })
}

async function expectRefused(pdf: Buffer, status: number, code: string, message: RegExp) {
  const response = await upload(pdf)
  expect(response.status, response.text).toBe(status)
  expect(response.json.code).toBe(code)
  expect(response.json.errors[0].path).toBe('file')
  expect(response.json.errors[0].message).toMatch(message)
  await expectNothingSent()
  // The gateway answers on: the refusal cost a worker, not the process.
  expect((await gateway.call('GET', '/health/live')).status).toBe(200)
}

describe('hostile PDFs with tags', () => {
  it('refuses a page content stream that inflates to 200 MB from a 200 KB file', async () => {
    const bomb = deflateSync(Buffer.alloc(200 * 1_048_576, 0x20), { level: 9 })
    const pdf = await taggedWith(contentStream(bomb, 'FlateDecode'))
    expect(pdf.length).toBeLessThan(300_000)
    await expectRefused(pdf, 422, 'PDF_TOO_COMPLEX', /expands to more than 64 MB when decompressed/)
  })

  it('refuses the same bomb compressed twice (two Flate stages)', async () => {
    const twice = deflateSync(deflateSync(Buffer.alloc(100 * 1_048_576, 0x20), { level: 9 }), { level: 9 })
    const pdf = await taggedWith(contentStream(twice, ['FlateDecode', 'FlateDecode']))
    await expectRefused(pdf, 422, 'PDF_TOO_COMPLEX', /expands to more than 64 MB/)
  })

  it('refuses a stream compressed in a way it cannot measure without decoding it (LZW)', async () => {
    const pdf = await taggedWith(
      contentStream(Buffer.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c]), 'LZWDecode'),
    )
    await expectRefused(pdf, 422, 'PDF_TOO_COMPLEX', /compressed with LZWDecode/)
  })

  it('refuses active content before any search, by its name', async () => {
    const pdf = await taggedWith((doc) => {
      const action = doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert(1)') })
      doc.catalog.set(PDFName.of('OpenAction'), action)
    })
    await expectRefused(pdf, 422, 'UNPROCESSABLE', /JavaScript/)
  })

  it('still places a tag in a file with an ordinary second content stream', async () => {
    const pdf = await taggedWith(
      contentStream(deflateSync(Buffer.from('q 1 0 0 1 0 0 cm Q\n')), 'FlateDecode'),
    )
    const response = await upload(pdf)
    expect(response.status, response.text).toBe(201)
    expect(response.json.signers[0].placements).toEqual([
      { page: 1, x: 60, y: A4_PAGE.height - 712, width: 120, height: 60 },
    ])
  })
})
