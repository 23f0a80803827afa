import { PDFDocument } from 'pdf-lib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageContentTexts } from '../../src/simulator/testing/pdfs.js'
import {
  a4Pdf,
  type SignerUser,
  signatureAt,
  signWithOtp,
  uploadForm,
  verifiedUser,
} from '../helpers/documents.js'
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.js'

let gateway: TestGateway
let officer: string
let alice: SignerUser
let bob: SignerUser

beforeAll(async () => {
  gateway = await startTestGateway()
  officer = await gateway.userToken('loan-officer')
  alice = await verifiedUser(gateway, 'alice')
  bob = await verifiedUser(gateway, 'bob')
})
afterAll(async () => {
  await gateway?.close()
})

async function upload(metadata: Record<string, unknown>, pdf?: Buffer) {
  const response = await gateway.call('POST', '/v1/documents', {
    token: officer,
    form: uploadForm(pdf ?? (await a4Pdf(2)), metadata),
  })
  expect(response.status, response.text).toBe(201)
  return response.json
}

async function document(id: string, token = officer) {
  return (await gateway.call('GET', `/v1/documents/${id}?refresh=true`, { token })).json
}

describe('document signing, end to end', () => {
  it('serial signing with two signers: order enforced, then completed and the signed PDF carries the marks', async () => {
    const uploaded = await upload({
      title: 'Loan agreement',
      sign_process: 'serial',
      signers: [
        { registration_id: alice.registrationId, placements: [signatureAt(1, 50, 700)] },
        { privy_id: bob.privyId, placements: [signatureAt(2, 300, 700)] },
      ],
    })
    expect(uploaded).toMatchObject({
      title: 'Loan agreement',
      status: 'uploaded',
      sign_process: 'serial',
      page_count: 2,
      signed_pdf_available: false,
    })
    expect(uploaded.signers.map((s: { privy_id: string }) => s.privy_id)).toEqual([
      alice.privyId,
      bob.privyId,
    ])
    expect(uploaded.sha256).toMatch(/^[0-9a-f]{64}$/)

    // The signer sees the document too; a stranger does not.
    expect((await gateway.call('GET', `/v1/documents/${uploaded.id}`, { token: alice.token })).status).toBe(
      200,
    )

    const early = await signWithOtp(gateway, bob, [uploaded.id])
    expect(early.status).toBe(409)
    expect(early.json.detail).toMatch(/turn/)

    expect((await signWithOtp(gateway, alice, [uploaded.id])).status).toBe(200)
    const half = await document(uploaded.id)
    expect(half.signers[0]).toMatchObject({ status: 'signed', signed_at: expect.any(String) })
    expect(half.signers[1].status).toBe('waiting')

    expect((await signWithOtp(gateway, bob, [uploaded.id])).status).toBe(200)
    const done = await document(uploaded.id)
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true })

    const pdf = await request(`${gateway.url}/v1/documents/${uploaded.id}/signed.pdf`, {
      headers: { authorization: `Bearer ${officer}` },
    })
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    const bytes = Buffer.from(await pdf.body.arrayBuffer())
    const parsed = await PDFDocument.load(bytes)
    expect(parsed.getPageCount()).toBe(2)
    expect(pageContentTexts(parsed, 0).join(' ')).toContain(`Signed by ${alice.privyId}`)
    expect(pageContentTexts(parsed, 1).join(' ')).toContain(`Signed by ${bob.privyId}`)

    const history = await gateway.call('GET', `/v1/documents/${uploaded.id}/history`, { token: officer })
    expect(history.status).toBe(200)
    const sources = new Set(history.json.events.map((event: { source: string }) => event.source))
    expect(sources).toEqual(new Set(['gateway', 'privy']))
    const times = history.json.events.map((event: { at: string }) => event.at)
    expect([...times].sort()).toEqual(times)

    const revoke = await gateway.call('POST', `/v1/documents/${uploaded.id}/revoke`, { token: officer })
    expect(revoke.status).toBe(409)
  })

  it('parallel signing, revoked before the last signature', async () => {
    const uploaded = await upload({
      title: 'Parallel agreement',
      signers: [
        { registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] },
        { registration_id: bob.registrationId, placements: [signatureAt(1, 300, 50)] },
      ],
    })
    expect((await signWithOtp(gateway, bob, [uploaded.id])).status).toBe(200)
    const revoked = await gateway.call('POST', `/v1/documents/${uploaded.id}/revoke`, { token: officer })
    expect(revoked.status, revoked.text).toBe(200)
    expect(revoked.json.status).toBe('revoked')
    expect((await signWithOtp(gateway, alice, [uploaded.id])).status).toBe(409)
    const signed = await gateway.call('GET', `/v1/documents/${uploaded.id}/signed.pdf`, { token: officer })
    expect(signed.status).toBe(409)
  })

  it('answers 404 to a stranger on every document route', async () => {
    const uploaded = await upload({
      title: 'Private',
      signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
    })
    const stranger = await gateway.userToken('stranger')
    for (const [method, path] of [
      ['GET', `/v1/documents/${uploaded.id}`],
      ['GET', `/v1/documents/${uploaded.id}/history`],
      ['POST', `/v1/documents/${uploaded.id}/revoke`],
      ['GET', `/v1/documents/${uploaded.id}/signed.pdf`],
    ] as const) {
      const response = await gateway.call(method, path, { token: stranger })
      expect(response.status, `${method} ${path}`).toBe(404)
    }
    const list = await gateway.call('GET', '/v1/documents', { token: stranger })
    expect(list.json.data).toEqual([])
    const otp = await signWithOtp(gateway, { ...alice, token: stranger }, [uploaded.id])
    expect(otp.status).toBe(404)
    // A signer may read but not revoke what someone else uploaded.
    expect(
      (await gateway.call('POST', `/v1/documents/${uploaded.id}/revoke`, { token: alice.token })).status,
    ).toBe(404)
    expect((await gateway.call('GET', `/v1/documents/${uploaded.id}`, { apiKey: TEST_API_KEY })).status).toBe(
      200,
    )
  })
})
