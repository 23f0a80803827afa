import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signatureMatches } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import {
  type CallbackReceiver,
  startCallbackReceiver,
} from '../../src/simulator/testing/callback-receiver.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import {
  type DocumentRef,
  documentStatusOf,
  requestSigningOtpFor,
  signWithOtp,
  type UploadSpec,
  uploadBody,
  uploadWith,
  type VerifiedSigner,
  verifiedSigners,
} from '../../src/simulator/testing/documents.js'
import { eventually } from '../../src/simulator/testing/flows.js'
import { A4, makePdf } from '../../src/simulator/testing/pdfs.js'

// Contract §5.3 status, §5.4 history, §5.5 revoke and §6 `document` callbacks, over real sockets.

let simulator: RunningSimulator
let client: SimulatorClient
let receiver: CallbackReceiver
let alice: VerifiedSigner
let bob: VerifiedSigner
let pdf: Uint8Array

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
  pdf = await makePdf({ pages: [A4] })
})

beforeEach(async () => {
  receiver = await startCallbackReceiver()
  await client.sim('POST', '/__sim/reset', { keep_tokens: true })
  ;[alice, bob] = (await verifiedSigners(client, 2)) as [VerifiedSigner, VerifiedSigner]
  await client.sim('POST', '/__sim/settings', { callback_url: receiver.url, callback_retry_base_ms: 5 })
})

afterEach(async () => {
  await receiver.close()
})

afterAll(async () => {
  await simulator.close()
})

const both = () => [{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }]
const upload = async (spec: Partial<UploadSpec> = {}) =>
  (await uploadWith(client, uploadBody({ pdf, recipients: both(), ...spec }))).ref
const revoke = (ref: DocumentRef) => client.signedPost('/web/api/v2/doc-signing/delete', ref)
const history = async (ref: DocumentRef) => {
  const response = await client.signedPost('/web/api/v2/doc-signing/history', ref)
  expect(response.status).toBe(201)
  return (response.json as { data: { document: Record<string, unknown> } }).data.document
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('§5.3-§5.5 by reference, channel and token', () => {
  it('answers 404 for an unknown reference or a wrong token, on every operation', async () => {
    const ref = await upload()
    for (const path of ['status', 'history', 'delete']) {
      const wrongToken = await client.signedPost(`/web/api/v2/doc-signing/${path}`, {
        ...ref,
        document_token: 'x',
      })
      expect(wrongToken.status, path).toBe(404)
      const unknown = await client.signedPost(`/web/api/v2/doc-signing/${path}`, {
        ...ref,
        reference_number: 'NOPE',
      })
      expect(unknown.status, path).toBe(404)
    }
    const extra = await client.signedPost('/web/api/v2/doc-signing/status', { ...ref, register_token: 'x' })
    expect(extra.status).toBe(422)
  })

  it('keeps each signer’s history: uploaded, OTP sent, signed, revoked', async () => {
    const ref = await upload({ sign_process: '1' })
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    await requestSigningOtpFor(client, bob.privy_id, [ref.document_token])
    expect((await revoke(ref)).status).toBe(201)
    const document = await history(ref)
    expect(document).toMatchObject({
      name: 'Perjanjian Kerja Sama.pdf',
      status: 'revoked',
      document_token: ref.document_token,
      reference_number: ref.reference_number,
    })
    const signers = document.signers as Array<{ privy_id: string; histories: Array<Record<string, string>> }>
    expect(signers.map((signer) => signer.histories.map((entry) => entry.description))).toEqual([
      ['Document uploaded', 'OTP sent', 'Signed', 'Document revoked'],
      ['Document uploaded', 'OTP sent', 'Document revoked'],
    ])
    for (const entry of signers.flatMap((signer) => signer.histories)) {
      expect(new Date(String(entry.created_at)).toISOString()).toBe(entry.created_at)
    }
    expect(signers[0]).toMatchObject({ privy_id: alice.privy_id, signer_type: 'Signer', status: 'signed' })
  })
})

describe('§5.5 revoke', () => {
  it('revokes before the last signature, once', async () => {
    const ref = await upload()
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    const response = await revoke(ref)
    expect(response.status).toBe(201)
    const data = (response.json as { data: { document_token: string; deleted_at: string } }).data
    expect(data).toEqual({ document_token: ref.document_token, deleted_at: expect.any(String) })
    expect(Date.parse(data.deleted_at)).not.toBeNaN()
    expect((await documentStatusOf(client, ref)).status).toBe('revoked')
    const again = await revoke(ref)
    expect(again.status).toBe(422)
    expect(again.text).toMatch(/already revoked/)
  })

  it('refuses once every signer has signed, completed or not', async () => {
    const completed = await upload()
    await signWithOtp(client, alice.privy_id, [completed.document_token])
    await signWithOtp(client, bob.privy_id, [completed.document_token])
    expect((await revoke(completed)).status).toBe(422)

    await client.sim('POST', '/__sim/settings', { document_processing_delay_ms: null })
    const processing = await upload()
    await signWithOtp(client, alice.privy_id, [processing.document_token])
    await signWithOtp(client, bob.privy_id, [processing.document_token])
    expect((await documentStatusOf(client, processing)).status).toBe('processing')
    const refused = await revoke(processing)
    expect(refused.status).toBe(422)
    expect(refused.text).toMatch(/Every signer has signed/)

    const stampOnly = await upload({ doc_process: '1' })
    expect((await revoke(stampOnly)).status).toBe(422)
    await client.sim('POST', '/__sim/settings', { document_processing_delay_ms: 0 })
  })

  it('refuses an expired document', async () => {
    const ref = await upload()
    await client.sim('POST', `/__sim/documents/${ref.reference_number}/expire`)
    expect((await revoke(ref)).status).toBe(422)
  })
})

describe('§6 document callbacks', () => {
  it('posts every signature and status change, signed, with the status data minus the PDF', async () => {
    const ref = await upload({ doc_process: '2' })
    await sleep(50)
    expect(receiver.received).toHaveLength(0)
    await signWithOtp(client, alice.privy_id, [ref.document_token])
    await signWithOtp(client, bob.privy_id, [ref.document_token])
    const received = await receiver.waitFor(5)
    const bodies = received.map(
      (callback) => JSON.parse(callback.text) as { event: string; data: { status: string } },
    )
    expect(bodies.map((body) => body.event)).toEqual(Array(5).fill('document'))
    expect(bodies.map((body) => body.data.status).sort()).toEqual(
      ['uploaded', 'uploaded', 'processing', 'processing_emeterai', 'completed'].sort(),
    )
    for (const callback of received) {
      const { timestamp, signature } = callback.headers
      const body = JSON.parse(callback.text) as Record<string, unknown>
      expect(signatureMatches(DEV_CREDENTIALS, String(timestamp), body, String(signature))).toBe(true)
      expect(callback.text).not.toContain('signed_document')
    }
    const { signed_document, ...withoutPdf } = await documentStatusOf(client, ref)
    expect(signed_document).toEqual(expect.any(String))
    expect(bodies.find((body) => body.data.status === 'completed')?.data).toEqual(withoutPdf)
    const log = await eventually(
      async () => (await client.sim('GET', `/__sim/callbacks?reference_number=${ref.reference_number}`)).json,
      (json) => (json as { callbacks: unknown[] }).callbacks.length === 5,
    )
    expect(log).toMatchObject({ callbacks: Array(5).fill({ event: 'document', http_status: 200 }) })
  })

  it('reports e-Meterai-first stamping right after the upload, and retries a failing receiver', async () => {
    receiver.answerWith(500, 200)
    const ref = await upload({ doc_process: '3' })
    await receiver.waitFor(3)
    const log = await eventually(
      async () =>
        (
          (await client.sim('GET', `/__sim/callbacks?reference_number=${ref.reference_number}`)).json as {
            callbacks: Array<{ delivery_id: string; status: string; attempt: number; http_status: number }>
          }
        ).callbacks,
      (callbacks) => callbacks.length >= 3,
    )
    // Two deliveries, started at once: whichever reached the receiver first got the 500 and a retry.
    expect(new Set(log.map((item) => item.status))).toEqual(new Set(['processing_emeterai', 'uploaded']))
    const failed = log.filter((item) => item.http_status === 500)
    expect(failed).toHaveLength(1)
    const retried = log.filter((item) => item.delivery_id === failed[0]?.delivery_id)
    expect(retried.map((item) => [item.attempt, item.http_status])).toEqual([
      [1, 500],
      [2, 200],
    ])
    await sleep(50)
    expect(receiver.received).toHaveLength(3)
  })
})

describe('/__sim/reset', () => {
  it('forgets documents', async () => {
    const ref = await upload()
    await client.sim('POST', '/__sim/reset', { keep_tokens: true })
    expect((await client.sim('GET', `/__sim/documents/${ref.reference_number}`)).status).toBe(404)
    expect((await client.signedPost('/web/api/v2/doc-signing/status', ref)).status).toBe(404)
  })
})
