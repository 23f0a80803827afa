import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import {
  type DocumentRef,
  documentStatusOf,
  signWithOtp,
  simDocument,
  type UploadSpec,
  uploadBody,
  uploadWith,
  type VerifiedSigner,
  verifiedSigners,
} from '../../src/simulator/testing/documents.js'
import { eventually } from '../../src/simulator/testing/flows.js'
import { A4, bytesOfDataUrl, makePdf, pageContentTexts } from '../../src/simulator/testing/pdfs.js'

// Contract §5.2 processing of the four doc_process values to `completed`, the §5.3 signed PDF with
// its visible marks, and the §7 processing delay, advance, fail and expire.

let simulator: RunningSimulator
let client: SimulatorClient
let alice: VerifiedSigner
let bob: VerifiedSigner
let pdf: Uint8Array

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
  ;[alice, bob] = (await verifiedSigners(client, 2)) as [VerifiedSigner, VerifiedSigner]
  pdf = await makePdf({ pages: [A4, A4] })
})

beforeEach(async () => {
  await client.sim('POST', '/__sim/settings', { document_processing_delay_ms: 0 })
})

afterAll(async () => {
  await simulator.close()
})

const both = () => [{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }]
const upload = async (spec: Partial<UploadSpec>) =>
  (await uploadWith(client, uploadBody({ pdf, ...spec }))).ref
const statusOf = (ref: DocumentRef) => documentStatusOf(client, ref)
const sim = (ref: DocumentRef, action: string) =>
  client.sim('POST', `/__sim/documents/${ref.reference_number}/${action}`)
async function signAll(ref: DocumentRef): Promise<void> {
  await signWithOtp(client, alice.privy_id, [ref.document_token])
  await signWithOtp(client, bob.privy_id, [ref.document_token])
}

async function signedPdfOf(ref: DocumentRef): Promise<{ bytes: Buffer; pdf: PDFDocument }> {
  const status = await statusOf(ref)
  expect(status.status).toBe('completed')
  const bytes = bytesOfDataUrl(String(status.signed_document))
  return { bytes, pdf: await PDFDocument.load(bytes, { updateMetadata: false }) }
}

describe('§5.2 the four processes reach completed', () => {
  it('"0" sign only: completed once the last signer signs', async () => {
    const ref = await upload({ recipients: both() })
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    const midway = await statusOf(ref)
    expect(midway.status).toBe('uploaded')
    expect(midway).not.toHaveProperty('signed_document')
    expect(midway).not.toHaveProperty('emeterai')
    await signWithOtp(client, bob.privy_id, [ref.document_token])
    expect(await statusOf(ref)).toMatchObject({ status: 'completed', signed_document: expect.any(String) })
  })

  it('"1" e-Meterai only: stamped and completed without signers', async () => {
    const ref = await upload({ doc_process: '1' })
    const status = await statusOf(ref)
    expect(status).toMatchObject({
      status: 'completed',
      signers: [],
      emeterai: { status: 'stamped', serial_number: expect.stringMatching(/^[A-Z0-9]{22}$/) },
    })
    const { bytes } = await signedPdfOf(ref)
    const serial = (status.emeterai as { serial_number: string }).serial_number
    expect(bytes.toString('latin1')).toContain(`(e-Meterai ${serial}) Tj`)
  })

  it('"2" sign then e-Meterai: stamped only after the signatures', async () => {
    const ref = await upload({ doc_process: '2', recipients: both() })
    expect(await statusOf(ref)).toMatchObject({ status: 'uploaded', emeterai: { status: 'waiting' } })
    await signAll(ref)
    expect(await statusOf(ref)).toMatchObject({ status: 'completed', emeterai: { status: 'stamped' } })
  })

  it('"3" e-Meterai then sign: stamped at upload, then signed, then completed', async () => {
    const ref = await upload({ doc_process: '3', recipients: both() })
    const before = await statusOf(ref)
    expect(before).toMatchObject({ status: 'uploaded', emeterai: { status: 'stamped' } })
    await signAll(ref)
    const after = await statusOf(ref)
    expect(after).toMatchObject({ status: 'completed', emeterai: before.emeterai })
  })
})

describe('§5.3 signed PDF', () => {
  it('keeps every page and shows each signature and stamp where it was placed', async () => {
    const ref = await upload({
      doc_process: '2',
      recipients: [
        {
          privy_id: alice.privy_id,
          positions: [
            { posX: 50, posY: 100, signPage: 1 },
            { posX: 300, posY: 700, signPage: 2 },
          ],
        },
        { privy_id: bob.privy_id, positions: [{ posX: 300, posY: 100, signPage: 1 }] },
      ],
      stamps: [{ pos_x: 450, pos_y: 700, page: 2, dimension: 80 }],
    })
    await signAll(ref)
    const { bytes, pdf: signed } = await signedPdfOf(ref)
    expect(signed.getPageCount()).toBe(2)
    expect(signed.getProducer()).toBe('Privy simulator')
    const page1 = pageContentTexts(signed, 0).join('\n')
    const page2 = pageContentTexts(signed, 1).join('\n')
    expect(page1.match(/\(Signed by [A-Z0-9]+\) Tj/g)).toEqual([
      `(Signed by ${alice.privy_id}) Tj`,
      `(Signed by ${bob.privy_id}) Tj`,
    ])
    expect(page2.match(/\(Signed by [A-Z0-9]+\) Tj/g)).toEqual([`(Signed by ${alice.privy_id}) Tj`])
    expect(page2).toMatch(/\(e-Meterai [A-Z0-9]{22}\) Tj/)
    // Top-left (50, 100) of a 842 pt high page: the box's bottom-left is at y = 842 - 100 - 60.
    expect(page1).toContain('1 0 0 1 50 682 cm')
    expect(page1).toContain('0.5 0.5 119 59 re')
    expect(page2).toContain('1 0 0 1 450 62 cm')
    // The original content is still there, wrapped so it cannot move the marks.
    expect(pageContentTexts(signed, 0).length).toBeGreaterThanOrEqual(4)
    // The marks are not compressed: a plain byte search finds them.
    expect(bytes.toString('latin1')).toContain(`(Signed by ${bob.privy_id}) Tj`)
    const served = await fetch(`${simulator.url}/__sim/documents/${ref.reference_number}/signed.pdf`)
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('draws on a rotated page so the mark sits where the reader placed it', async () => {
    const rotated = await makePdf({ pages: [{ width: 200, height: 300, rotate: 90 }] })
    const ref = (
      await uploadWith(
        client,
        uploadBody({
          pdf: rotated,
          doc_process: '0',
          recipients: [{ privy_id: alice.privy_id, positions: [{ posX: 150, posY: 100, signPage: 1 }] }],
        }),
      )
    ).ref
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    const text = pageContentTexts((await signedPdfOf(ref)).pdf, 0).join('\n')
    // Shown (150, 100) + 60 down is user space (160, 150), and the axes turn with the page.
    expect(text).toContain('0 1 -1 0 160 150 cm')
  })

  it('leaves invisible signatures (visibility off) unmarked but still shows the stamp', async () => {
    const body = uploadBody({ pdf, doc_process: '2', recipients: [{ privy_id: alice.privy_id }] })
    const ref = (await uploadWith(client, { ...body, visibility: '0' })).ref
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    const text = pageContentTexts((await signedPdfOf(ref)).pdf, 0).join('\n')
    expect(text).not.toContain('Signed by')
    expect(text).toContain('(e-Meterai ')
  })

  it('is only served once completed', async () => {
    const ref = await upload({ recipients: both() })
    const early = await client.send('GET', `/__sim/documents/${ref.reference_number}/signed.pdf`)
    expect(early.status).toBe(404)
  })
})

describe('§7 processing delay, advance, fail, expire', () => {
  it('passes through each processing state when a delay is set', async () => {
    await client.sim('POST', '/__sim/settings', { document_processing_delay_ms: 40 })
    const ref = await upload({ doc_process: '2', recipients: both() })
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    const data = await signWithOtp(client, bob.privy_id, [ref.document_token])
    expect(data.documents).toEqual([{ document_token: ref.document_token, status: 'processing' }])
    const seen = new Set<string>()
    await eventually(
      async () => String((await statusOf(ref)).status),
      (status) => {
        seen.add(status)
        return status === 'completed'
      },
    )
    expect([...seen]).toEqual(['processing', 'processing_emeterai', 'completed'])
  })

  it('holds documents in processing when the delay is null, until advanced or failed', async () => {
    await client.sim('POST', '/__sim/settings', { document_processing_delay_ms: null })
    const ref = await upload({ doc_process: '3', recipients: both() })
    expect((await statusOf(ref)).status).toBe('processing_emeterai')
    expect((await sim(ref, 'advance')).json).toMatchObject({
      status: 'uploaded',
      emeterai: { status: 'stamped' },
    })
    expect((await sim(ref, 'advance')).status).toBe(409)
    await signAll(ref)
    expect((await statusOf(ref)).status).toBe('processing')
    expect((await sim(ref, 'fail')).json).toMatchObject({ status: 'error', failure: expect.any(String) })
    expect((await sim(ref, 'fail')).status).toBe(409)

    const stamping = await upload({ doc_process: '1' })
    const failed = await client.sim('POST', `/__sim/documents/${stamping.reference_number}/fail`, {
      reason: 'Peruri unavailable',
    })
    expect(failed.json).toMatchObject({
      status: 'error',
      failure: 'Peruri unavailable',
      emeterai: { status: 'failed' },
    })
    expect(await statusOf(stamping)).toMatchObject({ status: 'error', emeterai: { status: 'failed' } })
  })

  it('expires an uploaded document, which then cannot be signed', async () => {
    const ref = await upload({ recipients: both() })
    expect((await sim(ref, 'expire')).json).toMatchObject({ status: 'expired' })
    expect((await sim(ref, 'expire')).status).toBe(409)
    const signing = await client.sim('POST', `/__sim/documents/${ref.reference_number}/sign`, {
      privy_id: alice.privy_id,
    })
    expect(signing.status).toBe(409)
    expect(signing.text).toMatch(/expired/)
    expect((await simDocument(client, ref.reference_number)).status).toBe('expired')
  })
})
