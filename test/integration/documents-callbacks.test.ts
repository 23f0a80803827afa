import type { DocumentMetadataInput } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { getDocument, upload as uploadDocument, uploadRaw } from '../helpers/api.js'
import { postSignedCallback } from '../helpers/callbacks.js'
import { clientFor } from '../helpers/client.js'
import {
  a4Pdf,
  documentCast,
  type SignerUser,
  signatureAt,
  simDocumentOf,
  stampAt,
  uploadBody,
  upstreamCount,
} from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { documentTokenOf } from '../helpers/privy-tokens.js'

/**
 * Document callbacks (contract §6): signatures given at Privy, with no call to the gateway, reach the
 * gateway's copy through `document` callbacks alone; late and duplicate ones change nothing.
 * Documents are read WITHOUT ?refresh=true, and the gateway's status reads are counted to prove it.
 */

const STATUS_PATH = '/web/api/v2/doc-signing/status'

let officer: string
let alice: SignerUser
let bob: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice, bob } = await documentCast(gateway, 'callbacks', ['alice', 'bob']))
  await gateway.enableCallbacks()
})

const upload = async (metadata: Omit<DocumentMetadataInput, 'title'>) =>
  uploadDocument(gateway, { token: officer }, { title: 'Callback agreement', ...metadata }, await a4Pdf())
/** The gateway's copy as it stands, without asking Privy. */
const stored = (id: string) => getDocument(gateway, { token: officer }, id)

async function simSign(referenceNumber: string, privyId: string) {
  const response = await gateway.sim('POST', `/__sim/documents/${referenceNumber}/sign`, {
    privy_id: privyId,
  })
  expect(response.status, response.text).toBe(200)
  return response.json
}

const postCallback = (body: Record<string, unknown>) => postSignedCallback(gateway.url, body)

/** Every callback delivery attempt logged for `referenceNumber`, oldest first. */
async function deliveredCallbacks(referenceNumber: string) {
  const response = await gateway.sim('GET', `/__sim/callbacks?reference_number=${referenceNumber}`)
  return response.json.callbacks as Array<{ event: string; status: string; http_status: number | null }>
}

describe('document callbacks', () => {
  it('serial signing at Privy moves the gateway copy to signed, then completed, with no status read', async () => {
    const document = await upload({
      sign_process: 'serial',
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: bob.privyId, placements: [signatureAt(1, 300, 50)] },
      ],
    })
    const statusReads = await upstreamCount(gateway, STATUS_PATH)

    await simSign(document.reference_number, alice.privyId)
    const half = await eventually(
      () => stored(document.id),
      (value) => value.signers[0]?.status === 'signed',
    )
    expect(half.status).toBe('uploaded')
    expect(half.signers[0]).toMatchObject({
      privy_id: alice.privyId,
      status: 'signed',
      signed_at: expect.any(String),
    })
    expect(half.signers[1]?.status).toBe('waiting')

    await simSign(document.reference_number, bob.privyId)
    const done = await eventually(
      () => stored(document.id),
      (value) => value.status === 'completed',
    )
    expect(done).toMatchObject({ status: 'completed', signed_pdf_available: true })
    expect(done.signers.map((signer: { status: string }) => signer.status)).toEqual(['signed', 'signed'])

    // Only callbacks moved it: the gateway never asked Privy for the status meanwhile.
    expect(await upstreamCount(gateway, STATUS_PATH)).toBe(statusReads)
    const callbacks = await deliveredCallbacks(document.reference_number)
    expect(callbacks.length).toBeGreaterThanOrEqual(3)
    expect(callbacks.every((callback) => callback.event === 'document' && callback.http_status === 200)).toBe(
      true,
    )
  })

  it('sign then e-Meterai: the serial number arrives by callback', async () => {
    const document = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      e_meterai: { category: 'surat_perjanjian', placements: [stampAt(1, 450, 700)] },
    })
    await simSign(document.reference_number, alice.privyId)
    const done = await eventually(
      () => stored(document.id),
      (value) => value.status === 'completed' && value.e_meterai?.serial_number !== null,
    )
    const upstream = await simDocumentOf(gateway, document.reference_number)
    expect(done.status).toBe('completed')
    expect(done.e_meterai?.serial_number).toBe(upstream.emeterai.serial_number)
  })

  it('a late duplicate callback does not move a completed document back', async () => {
    const document = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
    })
    const upstream = await simDocumentOf(gateway, document.reference_number)
    const base = {
      reference_number: document.reference_number,
      channel_id: upstream.channel_id,
      document_token: upstream.document_token,
      signing_url: upstream.signing_url,
    }
    // What Privy said before the signature: kept to be delivered late.
    const waiting = {
      ...base,
      status: 'uploaded',
      signers: [{ privy_id: alice.privyId, signer_type: 'Signer', status: 'waiting' }],
    }

    await simSign(document.reference_number, alice.privyId)
    // Once every callback of the signature is delivered, anything sent after is late. The copy is read
    // with ?refresh=true here so this test does not depend on how the callbacks themselves were applied.
    await eventually(
      () => deliveredCallbacks(document.reference_number),
      (callbacks) => callbacks.filter((callback) => callback.http_status === 200).length >= 3,
    )
    const done = await getDocument(gateway, { token: officer }, document.id, { refresh: true })
    expect(done.status).toBe('completed')
    const signedAt = done.signers[0]?.signed_at
    expect(signedAt).toEqual(expect.any(String))

    for (const stale of [
      { event: 'document', data: waiting },
      { event: 'document', data: { ...waiting, status: 'processing' } },
      { event: 'document', data: { ...waiting, status: 'revoked' } },
      { event: 'document', data: { ...waiting, status: 'completed' } },
    ]) {
      const answer = await postCallback(stale)
      expect(answer.status, answer.text).toBe(200)
      expect(answer.json, `${stale.data.status}: ${answer.text}`).toEqual({
        received: true,
        applied: false,
        duplicate: false,
      })
    }
    const after = await stored(document.id)
    expect(after).toMatchObject({ status: 'completed', signed_pdf_available: true })
    expect(after.signers[0]).toMatchObject({ status: 'signed', signed_at: signedAt })
  })

  it('callbacks that arrive together (signed, processing, completed) all count: none is lost', async () => {
    // What the simulator sends when the last signer signs, delivered at once as Privy may. Ten
    // documents, so an ordering that loses one shows up; each must end completed.
    const outcomes: string[] = []
    for (let round = 0; round < 10; round += 1) {
      const document = await upload({
        signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      })
      const signers = [
        {
          privy_id: alice.privyId,
          signer_type: 'Signer',
          status: 'signed',
          signed_at: new Date().toISOString(),
        },
      ]
      const data = (status: string) => ({ reference_number: document.reference_number, status, signers })
      const answers = await Promise.all(
        ['uploaded', 'processing', 'completed'].map((status) =>
          postCallback({ event: 'document', data: data(status) }),
        ),
      )
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
      const after = await stored(document.id)
      outcomes.push(`${after.status}/${after.signers[0]?.status}`)
    }
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => 'completed/signed'))
  })

  it('a document whose upload answer was lost (outcome unknown) is settled by its callbacks', async () => {
    // Privy does the work, then its answer cannot be read: the gateway says "follow document <id>".
    const fault = { path: '/web/api/v2/doc-signing', kind: 'malformed_json', times: 1 }
    expect((await gateway.sim('POST', '/__sim/faults', fault)).status).toBe(201)
    const lost = await uploadRaw(
      await clientFor(gateway, { token: officer }),
      uploadBody(await a4Pdf(), {
        title: 'Lost answer',
        signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      }),
    )
    expect(lost.status, lost.text).toBe(502)
    const id = lost.error?.document_id as string
    expect(id).toEqual(expect.any(String))
    const row = await gateway.database.prisma.document.findUniqueOrThrow({ where: { id } })
    expect(row.submission).toBe('unknown')

    // Privy has the document; its signer signs there, and Privy tells the gateway by callback.
    await simSign(row.referenceNumber, alice.privyId)
    const followed = await eventually(
      () => stored(id),
      (value) => value.status === 'completed',
    )
    expect(followed.status).toBe('completed')
    expect(followed.signers[0]?.status).toBe('signed')
    const adopted = await gateway.database.prisma.document.findUniqueOrThrow({ where: { id } })
    expect(adopted.submission).toBe('submitted')
    expect(await documentTokenOf(gateway, id)).toBe(
      (await simDocumentOf(gateway, row.referenceNumber)).document_token,
    )
  })

  it('a callback about a document the gateway does not know is acknowledged and not applied', async () => {
    const answer = await postCallback({
      event: 'document',
      data: { reference_number: 'DOC-NOT-OURS', status: 'completed', signers: [] },
    })
    expect(answer.status, answer.text).toBe(200)
    expect(answer.json).toEqual({ received: true, applied: false, duplicate: false })
  })
})
