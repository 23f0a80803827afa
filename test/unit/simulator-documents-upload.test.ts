import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { type SimResponse, SimulatorClient } from '../../src/simulator/testing/client.js'
import {
  simDocument,
  type UploadSpec,
  uploadBody,
  uploadWith,
  type VerifiedSigner,
  verifiedSigners,
} from '../../src/simulator/testing/documents.js'
import { A4, makePdf, pdfDataUrl } from '../../src/simulator/testing/pdfs.js'

// Contract §5.1 upload over a real socket: the four processes, the body rules and the PDF checks.
// The PDF itself and box geometry (rotation, inherited MediaBox, edges) are in simulator-documents-pdf.test.ts.

const UPLOAD = '/web/api/v2/doc-signing'

let simulator: RunningSimulator
let client: SimulatorClient
let alice: VerifiedSigner
let bob: VerifiedSigner
let twoPages: Uint8Array

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
  ;[alice, bob] = (await verifiedSigners(client, 2)) as [VerifiedSigner, VerifiedSigner]
  twoPages = await makePdf({ pages: [A4, A4] })
})

afterAll(async () => {
  await simulator.close()
})

const spec = (extra: Partial<UploadSpec> = {}): UploadSpec => ({
  pdf: twoPages,
  recipients: [{ privy_id: alice.privy_id }, { privy_id: bob.privy_id }],
  ...extra,
})
const upload = (body: Record<string, unknown>) => client.signedPost(UPLOAD, body)

/** The field errors of a §1 error answer, by field. */
function fieldErrors(response: SimResponse): Record<string, string[]> {
  const errors = (
    response.json as { error: { errors: Array<string | { field: string; messages: string[] }> } }
  ).error.errors
  return Object.fromEntries(
    errors.flatMap((item) => (typeof item === 'string' ? [] : [[item.field, item.messages]])),
  )
}

describe('§5.1 upload', () => {
  it.each(['0', '1', '2', '3'] as const)(
    'accepts doc_process "%s" with the contract answer',
    async (process) => {
      const body = uploadBody(spec({ doc_process: process }))
      const response = await upload(body)
      expect(response.status).toBe(201)
      const data = (response.json as { data: Record<string, string> }).data
      expect(data).toEqual({
        reference_number: body.reference_number,
        channel_id: DEV_CREDENTIALS.channelId,
        document_token: expect.any(String),
        status: 'uploaded',
        signing_url: expect.stringMatching(new RegExp(`^${simulator.url}/sign/[A-Za-z0-9_-]{32}$`)),
      })
      expect(data.signing_url).not.toContain(String(data.document_token))
      const state = await simDocument(client, String(body.reference_number))
      expect(state).toMatchObject({ doc_process: process, sign_process: 'serial', page_count: 2 })
      expect(state.signers).toHaveLength(process === '1' ? 0 : 2)
      expect(state.emeterai === null).toBe(process === '0')
    },
  )

  it('takes positions as numeric strings and flags as booleans', async () => {
    const body = uploadBody({
      pdf: twoPages,
      doc_process: '2',
      recipients: [{ privy_id: alice.privy_id, positions: [{ posX: '10.5', posY: '20', signPage: '2' }] }],
      stamps: [{ pos_x: '400', pos_y: '600', page: '1', dimension: 90 }],
    })
    const recipients = body.recipients as Array<Record<string, unknown>>
    const recipient = { ...recipients[0], notify_user: false }
    const document = { ...(body.document as Record<string, unknown>), sign_process: true }
    const response = await upload({ ...body, visibility: '1', document, recipients: [recipient] })
    expect(response.status).toBe(201)
    const state = await simDocument(client, String(body.reference_number))
    expect(state).toMatchObject({
      sign_process: 'parallel',
      visibility: true,
      signers: [{ notify_user: false, positions: [{ page: 2, x: 10.5, y: 20, width: 120, height: 60 }] }],
      emeterai: { positions: [{ page: 1, x: 400, y: 600, dimension: 90 }], status: 'waiting' },
    })
  })

  it('keeps the PDF byte for byte, and shows a signing page at signing_url', async () => {
    const { ref, data } = await uploadWith(client, uploadBody(spec()))
    const received = await client.send('GET', `/__sim/documents/${ref.reference_number}/uploaded.pdf`)
    expect(received.headers['content-type']).toBe('application/pdf')
    const bytes = await fetch(`${simulator.url}/__sim/documents/${ref.reference_number}/uploaded.pdf`)
    expect(Buffer.from(await bytes.arrayBuffer()).equals(Buffer.from(twoPages))).toBe(true)
    const page = await fetch(data.signing_url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Perjanjian Kerja Sama.pdf')
    expect((await fetch(`${simulator.url}/sign/${ref.document_token}`)).status).toBe(404)
  })

  it('signs the body without the document object (§2.3)', async () => {
    const body = uploadBody(spec())
    const otherPdf = { ...(body.document as Record<string, unknown>), document_file: pdfDataUrl(twoPages) }
    const sent = { ...body, document: { ...otherPdf, document_name: 'Renamed after signing.pdf' } }
    const response = await client.signedPost(UPLOAD, body, { bodyText: JSON.stringify(sent) })
    expect(response.status).toBe(201)
    const tampered = await client.signedPost(UPLOAD, body, {
      bodyText: JSON.stringify({ ...body, info: 'changed after signing' }),
    })
    expect(tampered.status).toBe(401)
  })
})

describe('§5.1 refusals', () => {
  it('answers 409 for a repeated reference, 403 for a foreign channel or doc_owner', async () => {
    const body = uploadBody(spec())
    expect((await upload(body)).status).toBe(201)
    expect((await upload(body)).status).toBe(409)
    expect((await upload(uploadBody(spec(), { channel_id: 'OTHER-CHANNEL' }))).status).toBe(403)
    const owner = { privyId: DEV_CREDENTIALS.enterprisePrivyId, enterpriseToken: 'wrong' }
    const foreign = await upload(uploadBody(spec(), { doc_owner: owner }))
    expect(foreign.status).toBe(403)
    expect(foreign.text).toMatch(/doc_owner/)
  })

  it('refuses page 0, a page past the end and a box off its page, naming each position', async () => {
    const response = await upload(
      uploadBody(
        spec({
          doc_process: '2',
          recipients: [
            { privy_id: alice.privy_id, positions: [{ posX: 10, posY: 10, signPage: 0 }] },
            {
              privy_id: bob.privy_id,
              positions: [
                { posX: 10, posY: 10, signPage: 3 },
                { posX: 500, posY: 10, signPage: 2 },
              ],
            },
          ],
          stamps: [{ pos_x: 10, pos_y: 800, page: 1, dimension: 50 }],
        }),
      ),
    )
    expect(response.status).toBe(422)
    const errors = fieldErrors(response)
    expect(Object.keys(errors).sort()).toEqual([
      'e_meterai.stamp_position.0',
      'recipients.0.sign_positions.0.signPage',
      'recipients.1.sign_positions.0.signPage',
      'recipients.1.sign_positions.1',
    ])
    expect(errors['recipients.1.sign_positions.0.signPage']?.[0]).toMatch(/page 3 does not exist.*1 to 2/)
    expect(errors['recipients.1.sign_positions.1']?.[0]).toMatch(/leaves page 2 \(595 × 842 pt\)/)
  })

  it('refuses a recipient that is not a verified Privy user, with the other problems', async () => {
    const pending = await client.signedPost('/web/api/v2/register', {
      reference_number: `REG-${Date.now()}`,
      channel_id: DEV_CREDENTIALS.channelId,
      registration_type: 'landing_page',
      email: 'pending@example.co.id',
      phone: '6281299990000',
    })
    expect(pending.status).toBe(201)
    const response = await upload(
      uploadBody(
        spec({
          recipients: [
            { privy_id: alice.privy_id },
            { privy_id: 'SIMNOBODY', positions: [{ posX: 10, posY: 900, signPage: 1 }] },
          ],
        }),
      ),
    )
    expect(response.status).toBe(422)
    expect(Object.keys(fieldErrors(response)).sort()).toEqual([
      'recipients.1.id_user',
      'recipients.1.sign_positions.0',
    ])
  })

  it('applies the rules between doc_process, recipients and e_meterai', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [uploadBody(spec({ doc_process: '1' }), { e_meterai: undefined }), 'e_meterai'],
      [uploadBody(spec({ doc_process: '2' }), { e_meterai: undefined }), 'e_meterai'],
      [
        uploadBody(spec(), { e_meterai: { doc_category: 'surat_perjanjian', stamp_position: [] } }),
        'e_meterai',
      ],
      [uploadBody(spec(), { recipients: undefined }), 'recipients'],
      [uploadBody(spec({ doc_process: '1' }), { recipients: uploadBody(spec()).recipients }), 'recipients'],
      [
        uploadBody(spec({ recipients: [{ privy_id: alice.privy_id, signer_type: 'Reviewer' }] })),
        'recipients',
      ],
      [
        uploadBody(spec({ recipients: [{ privy_id: alice.privy_id }, { privy_id: alice.privy_id }] })),
        'recipients.1.id_user',
      ],
      [
        uploadBody(spec({ recipients: [{ privy_id: alice.privy_id, positions: [] }] })),
        'recipients.0.sign_positions',
      ],
      [uploadBody(spec(), { doc_process: 0 }), 'doc_process'],
      [uploadBody(spec(), { doc_process: '4' }), 'doc_process'],
      [uploadBody(spec(), { visibility: 'yes' }), 'visibility'],
      [
        uploadBody(spec({ doc_process: '1' }), {
          e_meterai: { doc_category: 'kontrak', stamp_position: [] },
        }),
        'e_meterai.doc_category',
      ],
    ]
    for (const [body, field] of cases) {
      const response = await upload(body)
      expect(response.status, field).toBe(422)
      expect(Object.keys(fieldErrors(response)), JSON.stringify(response.json)).toContain(field)
    }
  })

  it('refuses misspelt keys inside positions and recipients', async () => {
    const body = uploadBody(spec())
    const recipients = body.recipients as Array<Record<string, unknown>>
    const wrong = [{ ...recipients[0], sign_positions: [{ pos_x: 10, pos_y: 10, page: 1 }] }]
    const response = await upload({ ...body, recipients: wrong })
    expect(response.status).toBe(422)
    expect(Object.keys(fieldErrors(response))).toEqual(
      expect.arrayContaining(['recipients.0.sign_positions.0.pos_x', 'recipients.0.sign_positions.0.posX']),
    )
  })
})
