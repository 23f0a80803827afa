import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import {
  type DocumentRef,
  documentStatusOf,
  type RecipientSpec,
  requestSigningOtpFor,
  signWithOtp,
  uploadBody,
  uploadWith,
  type VerifiedSigner,
  verifiedSigners,
} from '../../src/simulator/testing/documents.js'
import { simOtp } from '../../src/simulator/testing/flows.js'
import { A4, makePdf } from '../../src/simulator/testing/pdfs.js'

// Contract §4.2 signing OTP and the §5.2 signing order: serial turns enforced at the OTP request, at
// validation and at /__sim sign; parallel in any order; reviewers never block.

const OTP_REQUEST = '/web/api/v2/doc-signing/otp/request'
const VALIDATION = '/web/api/v2/doc-signing/otp/validation'

let simulator: RunningSimulator
let client: SimulatorClient
let alice: VerifiedSigner
let bob: VerifiedSigner
let carol: VerifiedSigner
let pdf: Uint8Array

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
  ;[alice, bob, carol] = (await verifiedSigners(client, 3)) as [
    VerifiedSigner,
    VerifiedSigner,
    VerifiedSigner,
  ]
  pdf = await makePdf({ pages: [A4] })
})

afterAll(async () => {
  await simulator.close()
})

async function upload(recipients: RecipientSpec[], signProcess: '0' | '1' = '0'): Promise<DocumentRef> {
  return (await uploadWith(client, uploadBody({ pdf, recipients, sign_process: signProcess }))).ref
}

const requestOtp = (signer: VerifiedSigner, tokens: string[]) =>
  client.signedPost(OTP_REQUEST, {
    channel_id: DEV_CREDENTIALS.channelId,
    signer_privy_id: signer.privy_id,
    document_tokens: tokens,
    otp_channel: 'sms',
  })
const validate = (transactionId: string, code: string) =>
  client.signedPost(VALIDATION, { transaction_id: transactionId, otp_code: code })
const simSign = (ref: DocumentRef, signer: VerifiedSigner) =>
  client.sim('POST', `/__sim/documents/${ref.reference_number}/sign`, { privy_id: signer.privy_id })
const signerStatuses = async (ref: DocumentRef) =>
  ((await documentStatusOf(client, ref)).signers as Array<{ status: string }>).map((item) => item.status)

describe('§4.2 signing OTP', () => {
  it('sends a code to the signer, lists it at /__sim/otps and signs on validation', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }])
    const response = await requestOtp(alice, [ref.document_token])
    expect(response.status).toBe(201)
    expect((response.json as { data: unknown }).data).toEqual({
      transaction_id: expect.any(String),
      otp_channel: 'sms',
      expired_at: expect.any(String),
      resend_available_at: expect.any(String),
      request_count: 1,
      maximum_otp_request: 3,
    })
    const transactionId = (response.json as { data: { transaction_id: string } }).data.transaction_id
    const listed = await client.sim('GET', `/__sim/otps?signer_privy_id=${alice.privy_id}`)
    expect(listed.json).toMatchObject({
      otps: [
        {
          transaction_id: transactionId,
          kind: 'document_signing',
          reference_number: null,
          signer_privy_id: alice.privy_id,
          document_tokens: [ref.document_token],
          document_reference_numbers: [ref.reference_number],
          status: 'live',
        },
      ],
    })
    const { code } = await simOtp(client, transactionId)
    const messages = await client.sim('GET', `/__sim/messages?phone=${alice.phone}`)
    expect(messages.json).toMatchObject({
      messages: [
        { to: alice.phone, text: expect.stringContaining(code), document_tokens: [ref.document_token] },
      ],
    })

    const validated = await validate(transactionId, code)
    expect(validated.status).toBe(201)
    expect((validated.json as { data: unknown }).data).toEqual({
      transaction_id: transactionId,
      status: 'validated',
      documents: [{ document_token: ref.document_token, status: 'uploaded' }],
    })
    const status = await documentStatusOf(client, ref)
    expect(status.signers).toEqual([
      { privy_id: alice.privy_id, signer_type: 'Signer', status: 'signed', signed_at: expect.any(String) },
      { privy_id: bob.privy_id, signer_type: 'Signer', status: 'waiting' },
    ])
    expect((await validate(transactionId, code)).text).toMatch(/already validated/)
  })

  it('covers several documents of one signer with one OTP', async () => {
    const first = await upload([{ privy_id: alice.privy_id }])
    const second = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }], '1')
    const data = await signWithOtp(client, alice.privy_id, [first.document_token, second.document_token])
    expect(data.documents).toEqual([
      { document_token: first.document_token, status: 'completed' },
      { document_token: second.document_token, status: 'uploaded' },
    ])
  })

  it('refuses tokens that are unknown, not the signer’s, or repeated, naming each one', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }])
    const response = await requestOtp(bob, [ref.document_token, 'no-such-token'])
    expect(response.status).toBe(422)
    expect(response.json).toMatchObject({
      error: {
        errors: [
          { field: 'document_tokens.0', messages: [expect.stringMatching(/not a recipient/)] },
          { field: 'document_tokens.1', messages: [expect.stringMatching(/no-such-token.*not a document/)] },
        ],
      },
    })
    const repeated = await requestOtp(alice, [ref.document_token, ref.document_token])
    expect(repeated.json).toMatchObject({ error: { errors: [{ field: 'document_tokens.1' }] } })
    const stranger = await requestOtp({ ...alice, privy_id: 'SIMNOBODY' }, [ref.document_token])
    expect(stranger.json).toMatchObject({ error: { code: 422, errors: [{ field: 'signer_privy_id' }] } })
    const empty = await requestOtp(alice, [])
    expect(empty.json).toMatchObject({ error: { code: 422, errors: [{ field: 'document_tokens' }] } })
  })

  it('obeys faults injected on its paths', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }])
    await client.sim('POST', '/__sim/faults', { path: OTP_REQUEST, kind: 'status', status: 503 })
    expect((await requestOtp(alice, [ref.document_token])).status).toBe(503)
    expect((await requestOtp(alice, [ref.document_token])).status).toBe(201)
  })

  it('keeps the §4 limits: 3 wrong codes lock, resends wait 60 s, kinds do not mix', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }])
    const transactionId = await requestSigningOtpFor(client, alice.privy_id, [ref.document_token])
    const { code } = await simOtp(client, transactionId)
    const wrong = code === '000000' ? '111111' : '000000'
    expect((await validate(transactionId, wrong)).json).toMatchObject({ data: { remaining_attempts: 2 } })
    expect((await validate(transactionId, wrong)).status).toBe(422)
    expect((await validate(transactionId, wrong)).status).toBe(423)
    expect((await validate(transactionId, code)).status).toBe(423)

    const second = await requestSigningOtpFor(client, alice.privy_id, [ref.document_token])
    const early = await client.signedPost('/web/api/v2/doc-signing/otp/resend', { transaction_id: second })
    expect(early.status).toBe(429)
    expect(early.json).toMatchObject({ data: { retry_after: expect.any(Number) } })
    const oldCode = (await simOtp(client, second)).code
    await client.sim('POST', `/__sim/otps/${second}/allow-resend`)
    const resent = await client.signedPost('/web/api/v2/doc-signing/otp/resend', { transaction_id: second })
    expect(resent.json).toMatchObject({ data: { transaction_id: second, request_count: 2 } })
    expect((await validate(second, oldCode)).status).toBe(422)
    expect(
      (
        await client.signedPost('/web/api/v2/register/otp-validation', {
          transaction_id: second,
          otp_code: oldCode,
        })
      ).status,
    ).toBe(404)
    expect((await validate(second, (await simOtp(client, second)).code)).status).toBe(201)
  })
})

describe('§5.2 signing order', () => {
  it('serial: refuses the second signer until the first has signed, at OTP request and /__sim', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }])
    const early = await requestOtp(bob, [ref.document_token])
    expect(early.status).toBe(422)
    expect(early.json).toMatchObject({
      error: { errors: [{ field: 'document_tokens.0', messages: [expect.stringMatching(/turn/)] }] },
    })
    const simEarly = await simSign(ref, bob)
    expect(simEarly.status).toBe(409)
    expect(simEarly.text).toMatch(/turn/)
    expect((await simSign(ref, carol)).status).toBe(404)

    await signWithOtp(client, alice.privy_id, [ref.document_token])
    expect((await simSign(ref, alice)).status).toBe(409)
    expect((await simSign(ref, bob)).json).toMatchObject({ status: 'completed' })
  })

  it('re-checks every document at validation: a revoke in between refuses the code', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }])
    const transactionId = await requestSigningOtpFor(client, alice.privy_id, [ref.document_token])
    const { code } = await simOtp(client, transactionId)
    expect((await client.signedPost('/web/api/v2/doc-signing/delete', ref)).status).toBe(201)
    const response = await validate(transactionId, code)
    expect(response.status).toBe(422)
    expect(response.json).toMatchObject({
      error: { errors: [{ field: 'document_tokens.0', messages: [expect.stringMatching(/revoked/)] }] },
    })
    expect((await simOtp(client, transactionId)).wrong_attempts).toBe(0)
  })

  it('re-checks at validation: a signature given meanwhile by /__sim refuses the code', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }])
    const transactionId = await requestSigningOtpFor(client, alice.privy_id, [ref.document_token])
    await simSign(ref, alice)
    const response = await validate(transactionId, (await simOtp(client, transactionId)).code)
    expect(response.status).toBe(422)
    expect(response.text).toMatch(/already signed/)
  })

  it('parallel: signers sign in any order', async () => {
    const ref = await upload([{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }], '1')
    await signWithOtp(client, bob.privy_id, [ref.document_token])
    expect(await signerStatuses(ref)).toEqual(['waiting', 'signed'])
    expect((await simSign(ref, alice)).json).toMatchObject({ status: 'completed' })
  })

  it('reviewers never block: neither the turn of a signer nor completion', async () => {
    const ref = await upload([
      { privy_id: carol.privy_id, signer_type: 'Reviewer', positions: [] },
      { privy_id: alice.privy_id },
      { privy_id: bob.privy_id },
    ])
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    expect((await simSign(ref, bob)).json).toMatchObject({ status: 'completed' })
    expect(await signerStatuses(ref)).toEqual(['waiting', 'signed', 'signed'])
  })
})
