import { randomBytes } from 'node:crypto'
import { FormData } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { makePdf } from '../../src/simulator/testing/pdfs.js'
import {
  A4_PAGE,
  a4Pdf,
  documentCast,
  loanAgreement,
  pdfOfExactSize,
  type SignerUser,
  signatureAt,
  stampAt,
  uploadForm,
  upstreamCount,
} from '../helpers/documents.js'
import { type CallResult, startTestGateway, type TestGateway, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor, photo } from '../helpers/identity.js'
import { multipartHead, streamOversizedPart } from '../helpers/oversized-upload.js'

/** Every refusal of POST /v1/documents is a problem+json, stores no row and sends nothing to Privy. */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'bad-input', ['alice']))
})

const metadata = () => loanAgreement(alice)

async function post(file: Buffer | Uint8Array, meta: unknown = metadata(), target = gateway) {
  return target.call('POST', '/v1/documents', { token: officer, form: uploadForm(Buffer.from(file), meta) })
}

async function counts(target: TestGateway) {
  return { rows: await target.database.prisma.document.count(), upstream: await upstreamCount(target) }
}

let before = { rows: 0, upstream: 0 }
beforeEach(async () => {
  before = await counts(gateway)
})

async function expectRefused(
  response: CallResult,
  status: number | number[],
  path?: string,
  target = gateway,
) {
  expect([status].flat(), response.text).toContain(response.status)
  expect(response.headers['content-type']).toContain('application/problem+json')
  expect(response.json).toMatchObject({ status: response.status, code: expect.any(String) })
  expect(response.json.detail).toEqual(expect.any(String))
  if (path !== undefined) {
    expect(
      response.json.errors.map((error: { path: string }) => error.path),
      response.text,
    ).toContain(path)
  }
  expect(await counts(target)).toEqual(before)
}

describe('the file is judged by its content', () => {
  it('a PNG named .pdf: 422 on file', async () => {
    const response = await gateway.call('POST', '/v1/documents', {
      token: officer,
      form: uploadForm(await photo('png'), metadata(), 'contract.pdf'),
    })
    await expectRefused(response, 422, 'file')
  })

  it('%PDF-1.7 followed by garbage: 422 on file', async () => {
    const garbage = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096)])
    await expectRefused(await post(garbage), 422, 'file')
  })

  it('%PDF-1.7, garbage, then a %%EOF marker (so only a real parse can tell): 422 on file', async () => {
    const garbage = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096), Buffer.from('\n%%EOF\n')])
    await expectRefused(await post(garbage), 422, 'file')
  })

  it('a valid PDF cut in half: 422 on file', async () => {
    const pdf = await a4Pdf()
    await expectRefused(await post(pdf.subarray(0, Math.floor(pdf.length / 2))), 422, 'file')
  })

  it('an encrypted PDF: 422 on file, saying it is encrypted', async () => {
    const encrypted = await makePdf({ pages: [{ ...A4_PAGE }], encrypted: true })
    const response = await post(encrypted)
    await expectRefused(response, 422, 'file')
    expect(response.json.detail).toMatch(/encrypt/i)
  })

  it('an empty file: 400 on file', async () => {
    await expectRefused(await post(Buffer.alloc(0)), 400, 'file')
  })
})

describe('the form itself', () => {
  it('metadata that is not JSON: 400 on metadata', async () => {
    await expectRefused(await post(await a4Pdf(), '{"title": "Loan agreement",'), 400, 'metadata')
  })

  it('a metadata part declared application/json that is not JSON: 400', async () => {
    const boundary = '----privy-gateway-json-part'
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n` +
          `{"title": \r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n` +
          'Content-Type: application/pdf\r\n\r\n',
      ),
      await a4Pdf(),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const response = await gateway.call('POST', '/v1/documents', {
      token: officer,
      rawBody: body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    })
    await expectRefused(response, 400)
  })

  it('metadata missing: 400 on metadata', async () => {
    const form = new FormData()
    form.set('file', new Blob([await a4Pdf()], { type: 'application/pdf' }), 'agreement.pdf')
    await expectRefused(
      await gateway.call('POST', '/v1/documents', { token: officer, form }),
      400,
      'metadata',
    )
  })

  it('metadata JSON without a title: 400 on metadata.title', async () => {
    const { title: _title, ...untitled } = metadata()
    await expectRefused(await post(await a4Pdf(), untitled), 400, 'metadata.title')
  })

  it('two files: 400 on file', async () => {
    const form = uploadForm(await a4Pdf(), metadata())
    form.append('file', new Blob([await a4Pdf()], { type: 'application/pdf' }), 'second.pdf')
    await expectRefused(await gateway.call('POST', '/v1/documents', { token: officer, form }), 400, 'file')
  })

  it('no credentials: 401', async () => {
    const response = await gateway.call('POST', '/v1/documents', {
      form: uploadForm(await a4Pdf(), metadata()),
    })
    await expectRefused(response, 401)
  })

  it('a JSON body instead of multipart: 415 or 400', async () => {
    const pdf = await a4Pdf()
    const response = await gateway.call('POST', '/v1/documents', {
      token: officer,
      body: { metadata: metadata(), file: pdf.toString('base64') },
    })
    await expectRefused(response, [400, 415])
  })
})

describe('signers', () => {
  it('a signer who is not verified (still waiting_verification): 422 on its registration_id', async () => {
    const bob = await gateway.userToken('bad-input-bob')
    const created = await gateway.call('POST', '/v1/registrations', {
      token: bob,
      body: await fullRegistrationJson({
        phone_verified: true,
        nik: nikFor('1985-03-12'),
        dob: '1985-03-12',
        email: 'bad-input-bob@example.co.id',
      }),
    })
    expect(created.status, created.text).toBe(201)
    expect(created.json.status).toBe('waiting_verification')
    before = await counts(gateway)
    const response = await post(await a4Pdf(), {
      title: 'Loan agreement',
      signers: [{ registration_id: created.json.id, placements: [signatureAt(1, 50, 50)] }],
    })
    await expectRefused(response, 422, 'metadata.signers.0.registration_id')
  })

  it('an unknown privy_id: 422 on it', async () => {
    const response = await post(await a4Pdf(), {
      title: 'Loan agreement',
      signers: [{ privy_id: 'NOBODY0001', placements: [signatureAt(1, 50, 50)] }],
    })
    await expectRefused(response, 422, 'metadata.signers.0.privy_id')
  })

  it('the same person twice (by registration id, then by privy_id): 422 on the second', async () => {
    const response = await post(await a4Pdf(), {
      title: 'Loan agreement',
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: alice.privyId, placements: [signatureAt(1, 300, 50)] },
      ],
    })
    await expectRefused(response, 422, 'metadata.signers.1.privy_id')
  })
})

describe('the other document routes', () => {
  it('ids that are not UUIDs: 400 on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/documents/not-a-uuid'],
      ['GET', '/v1/documents/12345/history'],
      ['POST', '/v1/documents/DOC-1/revoke'],
      ['GET', '/v1/documents/..%2F..%2Fetc/signed.pdf'],
    ] as const) {
      const response = await gateway.call(method, path, { token: officer })
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(400)
      expect(response.headers['content-type']).toContain('application/problem+json')
    }
  })

  it('limit=0 and limit=101: 400', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const response = await gateway.call('GET', `/v1/documents?limit=${limit}`, { token: officer })
      expect(response.status, `limit=${limit}: ${response.text}`).toBe(400)
    }
  })

  it('a forged cursor: 400 on query.cursor', async () => {
    const forged = [
      'not-a-cursor',
      Buffer.from('2024-01-01T00:00:00.000Z|not-an-id').toString('base64url'),
      Buffer.from(`yesterday|${crypto.randomUUID()}`).toString('base64url'),
      Buffer.from(`2024-01-01T00:00:00.000Z|${crypto.randomUUID()}|extra`).toString('base64url'),
    ]
    for (const cursor of forged) {
      const response = await gateway.call('GET', `/v1/documents?cursor=${cursor}`, { token: officer })
      expect(response.status, `${cursor}: ${response.text}`).toBe(400)
      expect(response.json.errors.map((error: { path: string }) => error.path)).toContain('query.cursor')
    }
  })
})

describe('the size cap (DOCUMENT_MAX_BYTES = 200000)', () => {
  const cap = 200_000
  let small: TestGateway
  const stampOnly = {
    title: 'Receipt',
    e_meterai: { category: 'dokumen_lain_lain', placements: [stampAt(1, 400, 700)] },
  }

  beforeAll(async () => {
    small = await startTestGateway({ DOCUMENT_MAX_BYTES: String(cap) })
  })
  afterAll(async () => {
    await small?.close()
  })
  beforeEach(async () => {
    before = await counts(small)
  })

  it('a valid PDF of exactly the cap is accepted', async () => {
    const pdf = await pdfOfExactSize(cap)
    expect(pdf.length).toBe(cap)
    const response = await post(pdf, stampOnly, small)
    expect(response.status, response.text).toBe(201)
    expect(response.json.size_bytes).toBe(cap)
  })

  it('a valid PDF one byte over the cap: 413 on file', async () => {
    const pdf = await pdfOfExactSize(cap + 1)
    expect(pdf.length).toBe(cap + 1)
    await expectRefused(await post(pdf, stampOnly, small), 413, 'file', small)
  })

  it('a much larger streamed body is refused before it is all sent', async () => {
    const hugeBytes = 64 * 1024 * 1024
    const boundary = '----privy-gateway-documents'
    const head = multipartHead(
      boundary,
      { metadata: JSON.stringify(stampOnly) },
      { name: 'file', filename: 'big.pdf', contentType: 'application/pdf', prefix: '%PDF-1.7\n' },
    )
    const answer = await streamOversizedPart(`${small.url}/v1/documents`, {
      head,
      boundary,
      total: hugeBytes,
      headers: { authorization: `Bearer ${officer}` },
    })
    expect(answer.status, answer.body).toBe(413)
    expect(JSON.parse(answer.body).code).toBe('PAYLOAD_TOO_LARGE')
    const sent = answer.sentWhenAnswered
    expect(sent).toBeGreaterThan(cap)
    expect(sent).toBeLessThan(hugeBytes)
    expect(await counts(small)).toEqual(before)
  })
})
