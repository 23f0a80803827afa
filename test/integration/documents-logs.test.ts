import { beforeAll, describe, expect, it } from 'vitest'
import { makePdf } from '../../src/simulator/testing/pdfs.js'
import { getDocument, revokeDocument, uploadRaw } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import {
  A4_PAGE,
  a4Pdf,
  documentCast,
  downloadSignedPdf,
  type SignerUser,
  signatureAt,
  signWithOtp,
  stampAt,
  uploadBody,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'
import { allDocumentTokens } from '../helpers/privy-tokens.js'

/**
 * After a day's worth of document work — uploads, refusals, upstream failures, signing OTPs (one
 * wrong), callbacks, history, revoke, downloads — the captured logs hold no document token, no PDF
 * (base64 or raw), no OTP code and no secret.
 */

const UPLOAD_PATH = '/web/api/v2/doc-signing'
/** A phrase only the PDF's bytes carry: if it shows up in a log line, the file was quoted. */
const PDF_ONLY_PHRASE = 'RAHASIA-PINJAMAN-7f3a'

let officer: string
let alice: SignerUser
let bob: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice, bob } = await documentCast(gateway, 'logs', ['alice', 'bob']))
  await gateway.enableCallbacks()
})

async function upload(metadata: Record<string, unknown>, pdf?: Buffer | Uint8Array) {
  const client = await clientFor(gateway, { token: officer })
  return uploadRaw(
    client,
    uploadBody(Buffer.from(pdf ?? (await a4Pdf(2))), { title: 'Log check', ...metadata }),
  )
}

/** The id of a created document (empty when it was refused: the status check before says why). */
const idOf = (created: Awaited<ReturnType<typeof upload>>) => created.data?.id ?? ''

const codesSeen = new Set<string>()

async function rememberCodes() {
  for (const signer of [alice, bob]) {
    const listed = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${signer.privyId}`)
    for (const otp of listed.json.otps as Array<{ code: string }>) codesSeen.add(otp.code)
  }
}

/** Signs with a wrong code first (a code too, which must not be logged), then the right one. */
async function signAfterOneWrongCode(signer: SignerUser, documentId: string) {
  const client = await clientFor(gateway, { token: signer.token })
  const otp = await client.otp
    .request({ otp_type: 'document_signing', otp_channel: 'sms', document_ids: [documentId] })
    .withResponse()
  expect(otp.response.status).toBe(201)
  const listed = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${signer.privyId}`)
  const code: string = listed.json.otps.at(-1).code
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
  codesSeen.add(wrong)
  const refused = await client.raw.POST('/v1/otp/{id}/validate', {
    params: { path: { id: otp.data.id } },
    body: { otp_code: wrong },
  })
  expect(refused.response.status, JSON.stringify(refused.error)).toBeGreaterThanOrEqual(400)
  const validated = await client.otp.validate(otp.data.id, code).withResponse()
  expect(validated.response.status).toBe(200)
}

describe('logs after document work', () => {
  it('hold no document token, no PDF, no OTP code and no secret', async () => {
    // Serial signing by two signers, one wrong code, then the signed PDF and the history.
    const serial = await upload({
      sign_process: 'serial',
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: bob.privyId, placements: [signatureAt(2, 50, 50)] },
      ],
      e_meterai: { category: 'surat_perjanjian', placements: [stampAt(2, 450, 700)] },
    })
    expect(serial.status, serial.text).toBe(201)
    await signAfterOneWrongCode(alice, idOf(serial))
    expect((await signWithOtp(gateway, bob, [idOf(serial)])).status).toBe(200)
    const done = await getDocument(gateway, { token: officer }, idOf(serial), { refresh: true })
    expect(done.status).toBe('completed')
    expect((await downloadSignedPdf(gateway, idOf(serial), officer)).status).toBe(200)
    expect(
      (await (await clientFor(gateway, { token: officer })).documents.history(idOf(serial)).withResponse())
        .response.status,
    ).toBe(200)

    // e-Meterai only, downloaded twice (the second from the store).
    const stampOnly = await upload({
      e_meterai: { category: 'dokumen_lain_lain', placements: [stampAt(1, 450, 700)] },
    })
    expect(stampOnly.status, stampOnly.text).toBe(201)
    expect((await downloadSignedPdf(gateway, idOf(stampOnly), officer)).status).toBe(200)
    expect((await downloadSignedPdf(gateway, idOf(stampOnly), officer)).status).toBe(200)

    // Parallel, revoked.
    const revoked = await upload({
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 300, 300)] }],
    })
    expect(revoked.status, revoked.text).toBe(201)
    expect((await revokeDocument(gateway, { token: officer }, idOf(revoked))).status).toBe(200)

    // Refusals by content, one of them carrying a phrase only its bytes hold.
    const garbage = Buffer.from(`%PDF-1.7\n1 0 obj << /Title (${PDF_ONLY_PHRASE}) >> stream\n%%EOF\n`)
    expect(
      (
        await upload(
          { signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }] },
          garbage,
        )
      ).status,
    ).toBe(422)
    const encrypted = await makePdf({ pages: [{ ...A4_PAGE }], encrypted: true })
    expect(
      (
        await upload(
          { e_meterai: { category: 'dokumen_lain_lain', placements: [stampAt(1, 450, 700)] } },
          encrypted,
        )
      ).status,
    ).toBe(422)

    // Privy failing the upload: a 500, then a dropped connection (outcome unknown).
    const metadata = { signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }] }
    for (const fault of [
      { path: UPLOAD_PATH, kind: 'status', status: 500, times: 1 },
      { path: UPLOAD_PATH, kind: 'drop', times: 1 },
    ]) {
      expect((await gateway.sim('POST', '/__sim/faults', fault)).status).toBe(201)
      const failed = await upload(metadata)
      expect(failed.status, failed.text).toBeGreaterThanOrEqual(500)
    }
    await gateway.sim('DELETE', '/__sim/faults')

    // Let the simulator's callbacks land, so their handling is logged too.
    await new Promise((resolve) => setTimeout(resolve, 500))
    await rememberCodes()

    const logs = gateway.logs.text()
    // The logs did record this work: an empty log would pass every check below.
    expect(logs).toContain(serial.data?.reference_number)
    expect(logs).toContain('privy callback received')

    const tokens = await allDocumentTokens(gateway)
    expect(tokens.length).toBe(3)
    expect(gateway.logs.leaked(tokens)).toEqual([])

    expect(logs).not.toContain('JVBERi0')
    expect(logs).not.toContain('data:application/pdf')
    expect(logs).not.toContain(PDF_ONLY_PHRASE)

    expect(codesSeen.size).toBeGreaterThanOrEqual(3)
    const codesInLogs = [...codesSeen].filter((code) => new RegExp(`(?<![0-9])${code}(?![0-9])`).test(logs))
    expect(codesInLogs).toEqual([])

    expect(gateway.logs.leaked(gateway.secrets)).toEqual([])
  })
})
