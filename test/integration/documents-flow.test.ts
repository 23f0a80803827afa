import {
  type DocumentMetadataInput,
  type GatewayClient,
  type OtpRequest,
  ValidationError,
} from '@privy-gateway/client'
import { PDFDocument } from 'pdf-lib'
import { beforeAll, describe, expect, it } from 'vitest'
import { pageContentTexts } from '../../src/simulator/testing/pdfs.js'
import { upload as uploadAs } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { a4Pdf, type SignerUser, signatureAt, signWithOtp, verifiedUser } from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

let officer: GatewayClient
let operator: GatewayClient
let alice: SignerUser
let bob: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  officer = await clientFor(gateway, 'loan-officer')
  operator = await clientFor(gateway, 'operator')
  alice = await verifiedUser(gateway, 'alice')
  bob = await verifiedUser(gateway, 'bob')
})

const as = (signer: SignerUser) => clientFor(gateway, { token: signer.token })

const upload = (metadata: DocumentMetadataInput, pdf?: Buffer) =>
  uploadAs(gateway, 'loan-officer', metadata, pdf)

async function document(id: string, client = officer) {
  return client.documents.get(id, { refresh: true })
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
    expect(uploaded.signers.map((s) => s.privy_id)).toEqual([alice.privyId, bob.privyId])
    expect(uploaded.sha256).toMatch(/^[0-9a-f]{64}$/)

    // The signer sees the document too; a stranger does not.
    const aliceClient = await as(alice)
    const seen = await aliceClient.raw.GET('/v1/documents/{id}', { params: { path: { id: uploaded.id } } })
    expect(seen.response.status).toBe(200)

    const early = await signWithOtp(gateway, bob, [uploaded.id])
    expect(early.response.status).toBe(409)
    expect(early.error?.code).toBe('NOT_YOUR_TURN')
    expect(early.error?.detail).toMatch(/turn/)

    expect((await signWithOtp(gateway, alice, [uploaded.id])).response.status).toBe(200)
    const half = await document(uploaded.id)
    expect(half.signers[0]).toMatchObject({ status: 'signed', signed_at: expect.any(String) })
    expect(half.signers[1]?.status).toBe('waiting')

    expect((await signWithOtp(gateway, bob, [uploaded.id])).response.status).toBe(200)
    const done = await document(uploaded.id)
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true })

    const pdf = await officer.documents.signedPdf(uploaded.id).withResponse()
    expect(pdf.response.status).toBe(200)
    expect(pdf.response.headers.get('content-type')).toBe('application/pdf')
    const parsed = await PDFDocument.load(pdf.data)
    expect(parsed.getPageCount()).toBe(2)
    expect(pageContentTexts(parsed, 0).join(' ')).toContain(`Signed by ${alice.privyId}`)
    expect(pageContentTexts(parsed, 1).join(' ')).toContain(`Signed by ${bob.privyId}`)

    const history = await officer.documents.history(uploaded.id).withResponse()
    expect(history.response.status).toBe(200)
    const sources = new Set(history.data.events.map((event) => event.source))
    expect(sources).toEqual(new Set(['gateway', 'privy']))
    const times = history.data.events.map((event) => event.at)
    expect([...times].sort()).toEqual(times)

    const revoke = await officer.raw.POST('/v1/documents/{id}/revoke', {
      params: { path: { id: uploaded.id } },
    })
    expect(revoke.response.status).toBe(409)
    expect(revoke.error?.code).toBe('DOCUMENT_NOT_REVOCABLE')
  })

  it('parallel signing, revoked before the last signature', async () => {
    const uploaded = await upload({
      title: 'Parallel agreement',
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: bob.privyId, placements: [signatureAt(1, 300, 50)] },
      ],
    })
    expect((await signWithOtp(gateway, bob, [uploaded.id])).response.status).toBe(200)
    const revoked = await officer.raw.POST('/v1/documents/{id}/revoke', {
      params: { path: { id: uploaded.id } },
    })
    expect(revoked.response.status, JSON.stringify(revoked.error)).toBe(200)
    expect(revoked.data?.status).toBe('revoked')
    const late = await signWithOtp(gateway, alice, [uploaded.id])
    expect(late.response.status).toBe(409)
    expect(late.error?.code).toBe('DOCUMENT_NOT_SIGNABLE')
    const signed = await officer.raw.GET('/v1/documents/{id}/signed.pdf', {
      params: { path: { id: uploaded.id } },
      parseAs: 'arrayBuffer',
    })
    expect(signed.response.status).toBe(409)
    expect((signed.error as { code?: string } | undefined)?.code).toBe('SIGNED_PDF_NOT_READY')
  })

  it('answers 404 to a stranger on every document route', async () => {
    const uploaded = await upload({
      title: 'Private',
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
    })
    const stranger = await clientFor(gateway, 'stranger')
    const path = { params: { path: { id: uploaded.id } } }
    for (const [route, call] of [
      ['GET /v1/documents/{id}', () => stranger.raw.GET('/v1/documents/{id}', path)],
      ['GET /v1/documents/{id}/history', () => stranger.raw.GET('/v1/documents/{id}/history', path)],
      ['POST /v1/documents/{id}/revoke', () => stranger.raw.POST('/v1/documents/{id}/revoke', path)],
      ['GET /v1/documents/{id}/signed.pdf', () => stranger.raw.GET('/v1/documents/{id}/signed.pdf', path)],
    ] as const) {
      const response = await call()
      expect(response.response.status, route).toBe(404)
    }
    const list = await stranger.raw.GET('/v1/documents')
    expect(list.data?.data).toEqual([])
    const otp = await signWithOtp(gateway, alice, [uploaded.id], 'stranger')
    expect(otp.response.status).toBe(404)
    // A signer may read but not revoke what someone else uploaded.
    const aliceClient = await as(alice)
    expect((await aliceClient.raw.POST('/v1/documents/{id}/revoke', path)).response.status).toBe(404)
    expect((await operator.raw.GET('/v1/documents/{id}', path)).response.status).toBe(200)
  })
})

describe('who may name and sign', () => {
  it("a user cannot name another user's registration by id, and learns nothing from trying", async () => {
    const byId = await officer.documents
      .upload({
        file: await a4Pdf(),
        metadata: {
          title: 'Probe',
          signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
        },
      })
      .catch((error: unknown) => error)
    expect(byId).toBeInstanceOf(ValidationError)
    const refusal = byId as ValidationError
    expect(refusal.status).toBe(422)
    expect(refusal.errors[0]).toEqual({
      path: 'metadata.signers.0.registration_id',
      message: 'is not a verified registration',
    })
    expect(JSON.stringify(refusal.problem)).not.toContain(alice.privyId)
    // The person themselves, or an operator, may.
    const own = await (await as(alice)).documents
      .upload({
        file: await a4Pdf(),
        metadata: {
          title: 'Own',
          signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
        },
      })
      .withResponse()
    expect(own.response.status).toBe(201)
    const byOperator = await operator.documents
      .upload({
        file: await a4Pdf(),
        metadata: {
          title: 'Back office',
          signers: [{ registration_id: alice.registrationId, placements: [signatureAt(1, 50, 50)] }],
        },
      })
      .withResponse()
    expect(byOperator.response.status).toBe(201)
  })

  it('one live signing OTP per documents, and an operator cannot complete a signature', async () => {
    const uploaded = await upload({
      title: 'One OTP',
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
    })
    const aliceClient = await as(alice)
    const body: OtpRequest = { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [uploaded.id] }
    const first = await aliceClient.raw.POST('/v1/otp', { body })
    expect(first.response.status, JSON.stringify(first.error)).toBe(201)
    // Its code is still valid: the same transaction again, no second SMS.
    const second = await aliceClient.raw.POST('/v1/otp', { body })
    expect(second.response.status, JSON.stringify(second.error)).toBe(200)
    expect(second.data).toMatchObject({ id: first.data?.id, reused: true })
    const listed = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${alice.privyId}`)
    const code = (listed.json.otps ?? listed.json).at(-1).code
    const otpPath = { params: { path: { id: first.data?.id ?? '' } }, body: { otp_code: code } }
    const byOperator = await operator.raw.POST('/v1/otp/{id}/validate', otpPath)
    expect(byOperator.response.status).toBe(404)
    const bySigner = await aliceClient.raw.POST('/v1/otp/{id}/validate', otpPath)
    expect(bySigner.response.status, JSON.stringify(bySigner.error)).toBe(200)
  })
})
