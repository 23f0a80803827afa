import { PDFDocument, PDFName } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { type SimResponse, SimulatorClient } from '../../src/simulator/testing/client.js'
import { uploadBody, type VerifiedSigner, verifiedSigner } from '../../src/simulator/testing/documents.js'
import { rc4 } from '../../src/simulator/testing/pdf-encryption.js'
import { A4, makePdf, type PageSpec, pdfDataUrl } from '../../src/simulator/testing/pdfs.js'

// Contract §5.1 PDF checks: a parseable, unencrypted PDF in a data URL, and box geometry: points from
// the top-left of the page AS SHOWN, a 120 × 60 pt signature box, the MediaBox inherited from the page
// tree, and /Rotate swapping the visible width and height.

let simulator: RunningSimulator
let client: SimulatorClient
let signer: VerifiedSigner
let a4: Uint8Array

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
  signer = await verifiedSigner(client)
  a4 = await makePdf({ pages: [A4] })
})

afterAll(async () => {
  await simulator.close()
})

type Position = { posX: number; posY: number; signPage: number }

async function uploadOn(pages: PageSpec[], positions: Position[], inheritMediaBox = false) {
  const pdf = await makePdf({ pages, inheritMediaBox })
  const body = uploadBody({ pdf, recipients: [{ privy_id: signer.privy_id, positions }] })
  return client.signedPost('/web/api/v2/doc-signing', body)
}

function messagesOf(response: SimResponse): string {
  return JSON.stringify((response.json as { error?: unknown }).error ?? null)
}

/** The messages about `document.document_file` in a §1 error answer. */
function fileErrors(response: SimResponse): string {
  const { errors } = (
    response.json as { error: { errors: Array<string | { field: string; messages: string[] }> } }
  ).error
  return errors
    .flatMap((item) =>
      typeof item !== 'string' && item.field === 'document.document_file' ? item.messages : [],
    )
    .join(' ')
}

describe('§5.1 document_file', () => {
  it('refuses what is not a PDF, does not parse, or is encrypted', async () => {
    const file = (document_file: string) => {
      const body = uploadBody({ pdf: a4, recipients: [{ privy_id: signer.privy_id }] })
      const document = { ...(body.document as object), document_file }
      return client.signedPost('/web/api/v2/doc-signing', { ...body, document })
    }
    const cases: Array<[string, RegExp]> = [
      [`data:application/pdf;base64,${Buffer.from('hello, not a pdf').toString('base64')}`, /not a PDF/],
      [`data:image/png;base64,${Buffer.from(a4).toString('base64')}`, /data URL/],
      [Buffer.from(a4).toString('base64'), /data URL/],
      ['data:application/pdf;base64,%%%', /base64/],
      [pdfDataUrl(Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n')), /parseable|pages/],
      [pdfDataUrl(await makePdf({ pages: [A4], encrypted: true })), /encrypted/],
    ]
    for (const [value, message] of cases) {
      const response = await file(value)
      expect(response.status, value.slice(0, 40)).toBe(422)
      expect(fileErrors(response)).toMatch(message)
    }
  })

  it('produces an encrypted PDF that pdf-lib recognises as one', async () => {
    // The RC4 of its security handler, against the classic test vector.
    expect(rc4(Buffer.from('Key'), Buffer.from('Plaintext')).toString('hex')).toBe('bbf316e8d940af0ad3')
    const bytes = await makePdf({ pages: [A4], encrypted: true })
    await expect(PDFDocument.load(bytes)).rejects.toThrow(/encrypted/i)
    const loaded = await PDFDocument.load(bytes, { ignoreEncryption: true })
    expect(loaded.isEncrypted).toBe(true)
    expect(loaded.getPageCount()).toBe(1)
  })
})

describe('§5.1 signature boxes', () => {
  it('accepts a box that touches the page edges and refuses one a point past them', async () => {
    const touching = await uploadOn([A4], [{ posX: 475, posY: 782, signPage: 1 }])
    expect(touching.status).toBe(201)
    expect((await uploadOn([A4], [{ posX: 475.5, posY: 10, signPage: 1 }])).status).toBe(422)
    expect((await uploadOn([A4], [{ posX: 10, posY: 783, signPage: 1 }])).status).toBe(422)
    expect((await uploadOn([A4], [{ posX: -1, posY: 10, signPage: 1 }])).status).toBe(422)
  })

  it('measures a page rotated 90° or 270° with its width and height swapped', async () => {
    const tall = { width: 200, height: 300 }
    for (const rotate of [90, 270] as const) {
      // Fits only once turned: 150 + 120 > 200 unturned, but ≤ 300 as shown.
      const turned = await uploadOn([{ ...tall, rotate }], [{ posX: 150, posY: 100, signPage: 1 }])
      expect(turned.status, `rotate ${rotate}`).toBe(201)
      // Fits only unturned: 200 + 60 > 200 as shown.
      const unturned = await uploadOn([{ ...tall, rotate }], [{ posX: 50, posY: 200, signPage: 1 }])
      expect(unturned.status, `rotate ${rotate}`).toBe(422)
      expect(messagesOf(unturned)).toContain(`300 × 200 pt, as shown with /Rotate ${rotate}`)
    }
    const upsideDown = await uploadOn([{ ...tall, rotate: 180 }], [{ posX: 50, posY: 200, signPage: 1 }])
    expect(upsideDown.status).toBe(201)
  })

  it('checks each box against its own page', async () => {
    const pages = [A4, { width: 300, height: 200, rotate: 90 as const }]
    // Page 2 is 200 × 300 as shown, so x = 100 fits page 1 but not page 2.
    expect((await uploadOn(pages, [{ posX: 100, posY: 10, signPage: 1 }])).status).toBe(201)
    const second = await uploadOn(pages, [{ posX: 100, posY: 10, signPage: 2 }])
    expect(second.status).toBe(422)
    expect(messagesOf(second)).toContain('recipients.0.sign_positions.0')
  })
})

describe('inherited MediaBox', () => {
  const square = { width: 300, height: 300 }

  it('builds pages that really inherit it from the page tree', async () => {
    const pdf = await PDFDocument.load(await makePdf({ pages: [square, square, A4], inheritMediaBox: true }))
    const pages = pdf.getPages()
    expect(pages.map((page) => page.node.get(PDFName.of('MediaBox')) === undefined)).toEqual([
      true,
      true,
      false,
    ])
    expect(pdf.catalog.Pages().get(PDFName.of('MediaBox'))?.toString()).toBe('[ 0 0 300 300 ]')
    expect(pages.map((page) => page.getSize())).toEqual([square, square, A4])
  })

  it('honours it when checking boxes', async () => {
    const pages = [square, square]
    expect((await uploadOn(pages, [{ posX: 180, posY: 240, signPage: 2 }], true)).status).toBe(201)
    const off = await uploadOn(pages, [{ posX: 181, posY: 10, signPage: 2 }], true)
    expect(off.status).toBe(422)
    expect(messagesOf(off)).toContain('leaves page 2 (300 × 300 pt)')
  })
})

describe('e-Meterai stamps', () => {
  it('are dimension × dimension boxes on their page', async () => {
    const pdf = await makePdf({ pages: [{ width: 200, height: 300, rotate: 90 }] })
    const stamp = (pos_x: number, pos_y: number, dimension: number) =>
      client.signedPost(
        '/web/api/v2/doc-signing',
        uploadBody({ pdf, doc_process: '1', stamps: [{ pos_x, pos_y, page: 1, dimension }] }),
      )
    expect((await stamp(200, 100, 100)).status).toBe(201)
    const off = await stamp(201, 100, 100)
    expect(off.status).toBe(422)
    expect(messagesOf(off)).toContain('e_meterai.stamp_position.0')
    const page = await client.signedPost(
      '/web/api/v2/doc-signing',
      uploadBody({ pdf, doc_process: '1', stamps: [{ pos_x: 1, pos_y: 1, page: 2, dimension: 10 }] }),
    )
    expect(messagesOf(page)).toContain('e_meterai.stamp_position.0.page')
  })
})
