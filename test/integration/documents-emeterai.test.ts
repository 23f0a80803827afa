import type { DocumentMetadataInput } from '@privy-gateway/client'
import { PDFDocument } from 'pdf-lib'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pageContentTexts } from '../../src/simulator/testing/pdfs.js'
import { getDocument, revokeDocument, upload as uploadDocument } from '../helpers/api.js'
import {
  a4Pdf,
  documentCast,
  downloadSignedPdf,
  type SignerUser,
  signatureAt,
  signWithOtp,
  simDocumentOf,
  stampAt,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

/** e-Meterai stamping in each order the contract allows (§5.1 doc_process "1", "2", "3"). */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'emeterai', ['alice']))
})
afterEach(async () => {
  // Tests that hold documents in processing put the simulator back to its synchronous default.
  await gateway.sim('POST', '/__sim/settings', { document_processing_delay_ms: 0 })
})

const stamp = (order?: 'after_signing' | 'before_signing') => ({
  category: 'surat_perjanjian' as const,
  placements: [stampAt(1, 450, 700)],
  ...(order ? { order } : {}),
})

const upload = async (metadata: Omit<DocumentMetadataInput, 'title'>) =>
  uploadDocument(gateway, { token: officer }, { title: 'Surat perjanjian', ...metadata }, await a4Pdf())
const refreshed = (id: string) => getDocument(gateway, { token: officer }, id, { refresh: true })

/** Downloads the signed PDF and returns the text drawn on its first page. */
async function signedPageText(id: string): Promise<string> {
  const download = await downloadSignedPdf(gateway, id, officer)
  expect(download.status, download.bytes.toString('utf8').slice(0, 300)).toBe(200)
  expect(download.headers['content-type']).toBe('application/pdf')
  expect(download.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  const pdf = await PDFDocument.load(download.bytes)
  return pageContentTexts(pdf, 0).join('\n')
}

function expectStamped(document: { e_meterai: { serial_number: string | null; category: string } | null }) {
  expect(document.e_meterai).not.toBeNull()
  expect(document.e_meterai?.category).toBe('surat_perjanjian')
  expect(document.e_meterai?.serial_number).toMatch(/^[A-Z0-9]{10,}$/)
  return document.e_meterai?.serial_number ?? ''
}

describe('sign, then e-Meterai (order: after_signing)', () => {
  it('is stamped only after the signature, completes, and the PDF carries both marks', async () => {
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('after_signing'),
    })
    expect(uploaded.status).toBe('uploaded')
    expect((await simDocumentOf(gateway, uploaded.reference_number)).doc_process).toBe('2')

    const waiting = await refreshed(uploaded.id)
    expect(waiting.status).toBe('uploaded')
    expect(waiting.e_meterai?.serial_number ?? null).toBeNull()

    const signed = await signWithOtp(gateway, alice, [uploaded.id])
    expect(signed.status, signed.text).toBe(200)
    const done = await refreshed(uploaded.id)
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true })
    const serial = expectStamped(done)
    expect((await simDocumentOf(gateway, uploaded.reference_number)).emeterai.serial_number).toBe(serial)

    const text = await signedPageText(uploaded.id)
    expect(text).toContain(`e-Meterai ${serial}`)
    expect(text).toContain(`Signed by ${alice.privyId}`)
  })
})

describe('e-Meterai, then sign (order: before_signing)', () => {
  it('is stamped at once, waits for the signer, then completes with both marks', async () => {
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('before_signing'),
    })
    expect((await simDocumentOf(gateway, uploaded.reference_number)).doc_process).toBe('3')

    const stamped = await refreshed(uploaded.id)
    expect(stamped.status).toBe('uploaded')
    const serial = expectStamped(stamped)
    expect(stamped.signers[0]?.status).toBe('waiting')

    const signed = await signWithOtp(gateway, alice, [uploaded.id])
    expect(signed.status, signed.text).toBe(200)
    const done = await refreshed(uploaded.id)
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true })
    expect(expectStamped(done)).toBe(serial)

    const text = await signedPageText(uploaded.id)
    expect(text).toContain(`e-Meterai ${serial}`)
    expect(text).toContain(`Signed by ${alice.privyId}`)
  })

  it('while the stamp is still being applied, a signer is refused with 409', async () => {
    await gateway.sim('POST', '/__sim/settings', { document_processing_delay_ms: null })
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('before_signing'),
    })
    expect((await simDocumentOf(gateway, uploaded.reference_number)).status).toBe('processing_emeterai')

    const early = await signWithOtp(gateway, alice, [uploaded.id])
    expect(early.status, early.text).toBe(409)
    expect(early.headers.get('content-type')).toContain('application/problem+json')
    expect((await downloadSignedPdf(gateway, uploaded.id, officer)).status).toBe(409)
    expect((await simDocumentOf(gateway, uploaded.reference_number)).signers[0].status).toBe('waiting')
    // The refusal is about a document: its detail must say so, not only speak of a registration.
    expect(early.error?.detail).toMatch(/document/i)
  })
})

describe('e-Meterai only (no signers)', () => {
  it('completes without anyone signing, and the PDF carries the stamp', async () => {
    const uploaded = await upload({ e_meterai: stamp() })
    expect(uploaded.signers).toEqual([])
    expect((await simDocumentOf(gateway, uploaded.reference_number)).doc_process).toBe('1')

    const done = await refreshed(uploaded.id)
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true, signers: [] })
    const serial = expectStamped(done)

    const text = await signedPageText(uploaded.id)
    expect(text).toContain(`e-Meterai ${serial}`)
    expect(text).not.toContain('Signed by')
  })

  it('cannot be revoked once completed: 409', async () => {
    const uploaded = await upload({ e_meterai: stamp() })
    expect((await refreshed(uploaded.id)).status).toBe('completed')
    const revoke = await revokeDocument(gateway, { token: officer }, uploaded.id)
    expect(revoke.status, revoke.text).toBe(409)
    expect((await refreshed(uploaded.id)).status).toBe('completed')
  })
})

describe('revoke and download around the last signature', () => {
  it('revoke after the last signature, while still processing: 409; the document then completes', async () => {
    await gateway.sim('POST', '/__sim/settings', { document_processing_delay_ms: null })
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('after_signing'),
    })
    expect((await signWithOtp(gateway, alice, [uploaded.id])).status).toBe(200)
    expect((await refreshed(uploaded.id)).status).toBe('processing')

    const revoke = await revokeDocument(gateway, { token: officer }, uploaded.id)
    expect(revoke.status, revoke.text).toBe(409)
    expect(revoke.headers.get('content-type')).toContain('application/problem+json')
    expect((await simDocumentOf(gateway, uploaded.reference_number)).status).toBe('processing')

    // Download before completion: 409.
    const early = await downloadSignedPdf(gateway, uploaded.id, officer)
    expect(early.status).toBe(409)
    expect(early.headers['content-type']).toContain('application/problem+json')

    for (const _step of ['processing → processing_emeterai', 'processing_emeterai → completed']) {
      const advanced = await gateway.sim('POST', `/__sim/documents/${uploaded.reference_number}/advance`)
      expect(advanced.status, advanced.text).toBe(200)
    }
    const done = await refreshed(uploaded.id)
    expect(done.status).toBe('completed')
    expect(await signedPageText(uploaded.id)).toContain(`e-Meterai ${expectStamped(done)}`)
  })

  it('revoke after the last signature of a completed document: 409', async () => {
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('after_signing'),
    })
    expect((await signWithOtp(gateway, alice, [uploaded.id])).status).toBe(200)
    const revoke = await revokeDocument(gateway, { token: officer }, uploaded.id)
    expect(revoke.status, revoke.text).toBe(409)
    expect((await refreshed(uploaded.id)).status).toBe('completed')
  })

  it('download before anyone signed: 409, and the document is still revocable', async () => {
    const uploaded = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: stamp('after_signing'),
    })
    const early = await downloadSignedPdf(gateway, uploaded.id, officer)
    expect(early.status).toBe(409)
    expect(JSON.parse(early.bytes.toString('utf8')).code).toBe('SIGNED_PDF_NOT_READY')
    const revoke = await revokeDocument(gateway, { token: officer }, uploaded.id)
    expect(revoke.status, revoke.text).toBe(200)
    expect(revoke.data?.status).toBe('revoked')
  })
})
