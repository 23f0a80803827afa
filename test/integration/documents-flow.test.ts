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
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 700)] },
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
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: bob.privyId, placements: [signatureAt(1, 300, 50)] },
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
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
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

describe('who may name and sign', () => {
  it("a user cannot name another user's registration by id, and learns nothing from trying", async () => {
    const byId = await gateway.call('POST', '/v1/documents', {
      token: officer,
      form: uploadForm(await a4Pdf(), {
        title: 'Probe',
        signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
      }),
    })
    expect(byId.status).toBe(422)
    expect(byId.json.errors[0]).toEqual({
      path: 'metadata.signers.0.registration_id',
      message: 'is not a verified registration',
    })
    expect(byId.text).not.toContain(alice.privyId)
    // The person themselves, or an operator, may.
    const own = await gateway.call('POST', '/v1/documents', {
      token: alice.token,
      form: uploadForm(await a4Pdf(), {
        title: 'Own',
        signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
      }),
    })
    expect(own.status, own.text).toBe(201)
    const operator = await gateway.call('POST', '/v1/documents', {
      apiKey: TEST_API_KEY,
      form: uploadForm(await a4Pdf(), {
        title: 'Back office',
        signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
      }),
    })
    expect(operator.status, operator.text).toBe(201)
  })

  it('one live signing OTP per documents, and an operator cannot complete a signature', async () => {
    const uploaded = await upload({
      title: 'One OTP',
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
    })
    const body = { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [uploaded.id] }
    const first = await gateway.call('POST', '/v1/otp', { token: alice.token, body })
    expect(first.status, first.text).toBe(201)
    const second = await gateway.call('POST', '/v1/otp', { token: alice.token, body })
    expect(second.status).toBe(409)
    expect(second.json.otp_id).toBe(first.json.id)
    const listed = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${alice.privyId}`)
    const code = (listed.json.otps ?? listed.json).at(-1).code
    const byOperator = await gateway.call('POST', `/v1/otp/${first.json.id}/validate`, {
      apiKey: TEST_API_KEY,
      body: { otp_code: code },
    })
    expect(byOperator.status).toBe(404)
    const bySigner = await gateway.call('POST', `/v1/otp/${first.json.id}/validate`, {
      token: alice.token,
      body: { otp_code: code },
    })
    expect(bySigner.status, bySigner.text).toBe(200)
  })
})
