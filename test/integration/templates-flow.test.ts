import { createHash, randomUUID } from 'node:crypto'
import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import {
  a4Pdf,
  distinctPdf,
  documentCast,
  downloadSignedPdf,
  type SignerUser,
  signatureAt,
  signWithOtp,
  simDocumentOf,
  uploadForm,
  upstreamCount,
} from '../helpers/documents.js'
import { TEST_API_KEY, type TestGateway, useGateway } from '../helpers/gateway.js'
import { scrape } from '../helpers/prometheus.js'
import { markBox, pdfWithTags } from '../helpers/tagged-pdfs.js'

/**
 * Templates (README "Templates"): a PDF and its roles stored once, tags resolved once, documents sent
 * from it without the upload; replaced (version + 1) without touching what was sent; deleted.
 */

let officer: string
let other: string
let alice: SignerUser
let bob: SignerUser

// METRICS_PORT: the PDF worker pool's job counter shows which requests read a PDF in it.
const gateway = useGateway({ METRICS_PORT: '0' })
beforeAll(async () => {
  ;({ officer, alice, bob } = await documentCast(gateway, 'tpl', ['alice', 'bob']))
  other = await gateway.userToken('tpl-other')
})

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const borrowerTag = { anchor: '{{sign:borrower}}', offset: { x: 0, y: -10 }, width: 150, height: 75 }

/** Jobs the gateway's PDF worker pool has been handed so far, by kind (`/metrics`). */
async function pdfJobs(of: TestGateway = gateway) {
  const taken = await scrape(of.app.metricsUrl() ?? '')
  const jobs = (kind: string) => taken.value('privy_gateway_pdf_jobs_total', { kind }) ?? 0
  return { inspect: jobs('inspect'), findText: jobs('find_text') }
}

/** The PDF the simulator decoded from the upload of `referenceNumber`. */
async function uploadedPdf(of: TestGateway, referenceNumber: string) {
  const response = await request(`${of.simulator.url}/__sim/documents/${referenceNumber}/uploaded.pdf`)
  expect(response.statusCode).toBe(200)
  return Buffer.from(await response.body.arrayBuffer())
}

async function createTemplate(pdf: Buffer, metadata: Record<string, unknown>, token = officer) {
  return gateway.call('POST', '/v1/templates', { token, form: uploadForm(pdf, metadata) })
}

const loanTemplate = (extra: Record<string, unknown> = {}) => ({
  name: 'Loan agreement',
  sign_process: 'serial',
  roles: [
    { name: 'borrower', placements: [borrowerTag] },
    { name: 'lender', placements: [signatureAt(1, 350, 650)] },
  ],
  ...extra,
})

async function fromTemplate(templateId: string, body: Record<string, unknown> = {}, token = officer) {
  return gateway.call('POST', '/v1/documents', {
    token,
    body: {
      template_id: templateId,
      title: 'Loan 42',
      signers: [
        { role: 'lender', privy_id: bob.privyId },
        { role: 'borrower', privy_id: alice.privyId },
      ],
      ...body,
    },
  })
}

describe('a template with a tag, end to end', () => {
  it('resolves the tag once, sends documents from it, signs one, and keeps v1 documents as sent after a replace', async () => {
    // The tag drawn at x 60, baseline 700: its top-left corner is 841.89 - 712 = 129.89 pt from the top.
    const pdf = await distinctPdf(await pdfWithTags('{{sign:borrower}}', [[60, 700]]))
    const beforeCreate = await pdfJobs()
    const created = await createTemplate(pdf, loanTemplate())
    expect(created.status, created.text).toBe(201)
    // Made once: the PDF inspected and searched for its tag in the worker pool.
    expect(await pdfJobs()).toEqual({
      inspect: beforeCreate.inspect + 1,
      findText: beforeCreate.findText + 1,
    })
    expect(created.headers.location).toBe(`/v1/templates/${created.json.id}`)
    expect(created.json).toMatchObject({
      name: 'Loan agreement',
      version: 1,
      sign_process: 'serial',
      sha256: sha256(pdf),
      size_bytes: pdf.length,
      page_count: 1,
      roles: [
        {
          name: 'borrower',
          role: 'signer',
          placements: [{ page: 1, x: 60, y: 119.89, width: 150, height: 75 }],
        },
        { name: 'lender', role: 'signer', placements: [{ page: 1, x: 350, y: 650, width: 150, height: 75 }] },
      ],
      e_meterai: null,
    })
    const templateId = created.json.id as string

    const pdfBack = await request(`${gateway.url}/v1/templates/${templateId}/pdf`, {
      headers: { authorization: `Bearer ${officer}` },
    })
    expect(pdfBack.statusCode).toBe(200)
    expect(pdfBack.headers['content-type']).toBe('application/pdf')
    expect(sha256(Buffer.from(await pdfBack.body.arrayBuffer()))).toBe(sha256(pdf))

    const beforeSend = await pdfJobs()
    const sent = await fromTemplate(templateId)
    expect(sent.status, sent.text).toBe(201)
    // Sent without a second look: the version's stored pages and boxes, no job in the pool.
    expect(await pdfJobs()).toEqual(beforeSend)
    expect(sent.json).toMatchObject({
      title: 'Loan 42',
      template_id: templateId,
      template_version: 1,
      sha256: sha256(pdf),
      sign_process: 'serial',
    })
    // The template's role order, each with the person the request named for it.
    expect(sent.json.signers.map((s: { privy_id: string }) => s.privy_id)).toEqual([
      alice.privyId,
      bob.privyId,
    ])
    expect(sent.json.signers[0].placements).toEqual([{ page: 1, x: 60, y: 119.89, width: 120, height: 60 }])
    const upstream = await simDocumentOf(gateway, sent.json.reference_number)
    const at = (p: { page: number; x: number; y: number }) => [p.page, p.x, p.y]
    expect(
      upstream.signers.map((s: { positions: Array<{ page: number; x: number; y: number }> }) =>
        s.positions.map(at),
      ),
    ).toEqual([[[1, 60, 119.89]], [[1, 350, 650]]])
    expect(JSON.stringify(upstream)).not.toContain('{{sign:')
    // The template's PDF, byte for byte.
    expect(sha256(await uploadedPdf(gateway, sent.json.reference_number))).toBe(sha256(pdf))

    // Version 2: another PDF, the tag elsewhere; resolved again.
    const pdf2 = await distinctPdf(await pdfWithTags('{{sign:borrower}}', [[200, 300]]))
    const replaced = await gateway.call('PUT', `/v1/templates/${templateId}`, {
      token: officer,
      form: uploadFormFileOnly(pdf2),
    })
    expect(replaced.status, replaced.text).toBe(200)
    expect(replaced.json).toMatchObject({ version: 2, sha256: sha256(pdf2), name: 'Loan agreement' })
    expect(replaced.json.roles[0].placements).toEqual([
      { page: 1, x: 200, y: 519.89, width: 150, height: 75 },
    ])

    // The document from v1 is as it was sent; signed, its PDF is v1's with the mark on v1's tag.
    const v1 = await gateway.call('GET', `/v1/documents/${sent.json.id}`, { token: officer })
    expect(v1.json).toMatchObject({ template_version: 1, sha256: sha256(pdf) })
    expect(v1.json.signers[0].placements).toEqual(sent.json.signers[0].placements)
    expect((await signWithOtp(gateway, alice, [sent.json.id])).status).toBe(200)
    expect((await signWithOtp(gateway, bob, [sent.json.id])).status).toBe(200)
    const signed = await downloadSignedPdf(gateway, sent.json.id, officer)
    expect(signed.status).toBe(200)
    const mark = await markBox(signed.bytes, 1, { x: 45, y: 105, width: 150, height: 90 })
    expect(mark, 'a mark on the v1 tag').toBeDefined()
    expect(Math.abs((mark?.x ?? 0) - 60)).toBeLessThanOrEqual(2)
    expect(Math.abs((mark?.y ?? 0) - 119.89)).toBeLessThanOrEqual(2)

    // A new document uses v2.
    const beforeSend2 = await pdfJobs()
    const sent2 = await fromTemplate(templateId, { title: 'Loan 43' })
    expect(sent2.status, sent2.text).toBe(201)
    expect(await pdfJobs()).toEqual(beforeSend2)
    expect(sent2.json).toMatchObject({ template_version: 2, sha256: sha256(pdf2), page_count: 1 })
    expect(sent2.json.signers[0].placements).toEqual([{ page: 1, x: 200, y: 519.89, width: 120, height: 60 }])
    expect(sha256(await uploadedPdf(gateway, sent2.json.reference_number))).toBe(sha256(pdf2))

    // Deleted: 404 for reads and for new documents; what was sent stays.
    const deleted = await gateway.call('DELETE', `/v1/templates/${templateId}`, { token: officer })
    expect(deleted.status).toBe(204)
    expect((await gateway.call('GET', `/v1/templates/${templateId}`, { token: officer })).status).toBe(404)
    expect((await gateway.call('GET', `/v1/templates/${templateId}/pdf`, { token: officer })).status).toBe(
      404,
    )
    const refused = await fromTemplate(templateId, { title: 'Loan 44' })
    expect(refused.status, refused.text).toBe(404)
    expect(refused.json.code).toBe('NOT_FOUND')
    expect(
      (await gateway.call('GET', `/v1/documents/${sent2.json.id}`, { token: officer })).json,
    ).toMatchObject({
      template_id: templateId,
      template_version: 2,
    })
    expect((await gateway.call('DELETE', `/v1/templates/${templateId}`, { token: officer })).status).toBe(404)
  })
})

function uploadFormFileOnly(pdf: Buffer) {
  const form = uploadForm(pdf, {})
  form.delete('metadata')
  return form
}

describe('coordinates, ownership and lists', () => {
  it('keeps coordinates in points, and percent converted to points', async () => {
    const created = await createTemplate(await a4Pdf(2), {
      name: 'Two pages',
      roles: [
        {
          name: 'borrower',
          role: 'signer',
          placements: [
            signatureAt(2, 100, 100),
            { page: 1, x: 50, y: 50, width: 30, height: 10, unit: 'percent' },
          ],
        },
      ],
    })
    expect(created.status, created.text).toBe(201)
    expect(created.json.page_count).toBe(2)
    expect(created.json.roles[0].placements).toEqual([
      { page: 2, x: 100, y: 100, width: 150, height: 75 },
      { page: 1, x: 297.64, y: 420.95, width: 178.58, height: 84.19 },
    ])
  })

  it("answers 404 for another user's template, and operators see all with their owner", async () => {
    const created = await createTemplate(await a4Pdf(), {
      name: 'Mine',
      roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 50)] }],
    })
    expect(created.status, created.text).toBe(201)
    const id = created.json.id as string
    for (const [method, path] of [
      ['GET', `/v1/templates/${id}`],
      ['GET', `/v1/templates/${id}/pdf`],
      ['DELETE', `/v1/templates/${id}`],
    ] as const) {
      expect((await gateway.call(method, path, { token: other })).status, `${method} ${path}`).toBe(404)
    }
    const put = await gateway.call('PUT', `/v1/templates/${id}`, {
      token: other,
      form: uploadFormFileOnly(await a4Pdf()),
    })
    expect(put.status).toBe(404)
    const stolen = await gateway.call('POST', '/v1/documents', {
      token: other,
      body: { template_id: id, title: 'x', signers: [{ role: 'borrower', privy_id: alice.privyId }] },
    })
    expect(stolen.status).toBe(404)
    const theirs = await gateway.call('GET', '/v1/templates', { token: other })
    expect(theirs.json.data.map((t: { id: string }) => t.id)).not.toContain(id)

    const asOperator = await gateway.call('GET', `/v1/templates/${id}`, { apiKey: TEST_API_KEY })
    expect(asOperator.status).toBe(200)
    expect(asOperator.json.owner).toBe('user:tpl-officer')
    const filtered = await gateway.call('GET', '/v1/templates?owner=user:tpl-officer&limit=100', {
      apiKey: TEST_API_KEY,
    })
    expect(filtered.json.data.map((t: { id: string }) => t.id)).toContain(id)
    expect(filtered.json.data.every((t: { owner: string }) => t.owner === 'user:tpl-officer')).toBe(true)
    const mine = await gateway.call('GET', '/v1/templates', { token: officer })
    expect(mine.json.data[0].id).toBe(id)
    expect(mine.json.data[0].owner).toBeUndefined()
  })

  it('pages newest first with a cursor', async () => {
    const token = await gateway.userToken('tpl-pager')
    const ids: string[] = []
    for (const name of ['one', 'two', 'three']) {
      const created = await createTemplate(
        await a4Pdf(),
        { name, roles: [{ name: 'r', placements: [signatureAt(1, 50, 50)] }] },
        token,
      )
      ids.push(created.json.id)
    }
    const first = await gateway.call('GET', '/v1/templates?limit=2', { token })
    expect(first.json.data.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]])
    const second = await gateway.call('GET', `/v1/templates?limit=2&cursor=${first.json.next_cursor}`, {
      token,
    })
    expect(second.json.data.map((t: { id: string }) => t.id)).toEqual([ids[0]])
    expect(second.json.next_cursor).toBeNull()
  })
})

describe('Idempotency-Key', () => {
  it('replays a template creation and a document from a template, and refuses the key for other content', async () => {
    const pdf = await a4Pdf()
    const meta = { name: 'Keyed', roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 50)] }] }
    const key = `tpl-${randomUUID()}`
    const first = await gateway.call('POST', '/v1/templates', {
      token: officer,
      form: uploadForm(pdf, meta),
      headers: { 'idempotency-key': key },
    })
    expect(first.status, first.text).toBe(201)
    const again = await gateway.call('POST', '/v1/templates', {
      token: officer,
      form: uploadForm(pdf, meta),
      headers: { 'idempotency-key': key },
    })
    expect(again.status).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json.id).toBe(first.json.id)
    const other = await gateway.call('POST', '/v1/templates', {
      token: officer,
      form: uploadForm(pdf, { ...meta, name: 'Other' }),
      headers: { 'idempotency-key': key },
    })
    expect(other.status).toBe(422)
    expect(other.json.code).toBe('IDEMPOTENCY_KEY_REUSED')

    const body = {
      template_id: first.json.id,
      title: 'Keyed loan',
      signers: [{ role: 'borrower', privy_id: alice.privyId }],
    }
    const docKey = `doc-${randomUUID()}`
    const sent = await gateway.call('POST', '/v1/documents', {
      token: officer,
      body,
      headers: { 'idempotency-key': docKey },
    })
    expect(sent.status, sent.text).toBe(201)
    const replay = await gateway.call('POST', '/v1/documents', {
      token: officer,
      body,
      headers: { 'idempotency-key': docKey },
    })
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json.id).toBe(sent.json.id)
    // Without a key, the same template to the same signer is the same document: the upload's dedupe.
    const twice = await gateway.call('POST', '/v1/documents', { token: officer, body })
    expect(twice.status).toBe(409)
    expect(twice.json).toMatchObject({ code: 'DOCUMENT_EXISTS', document_id: sent.json.id })
  })
})

describe('a keyed retry of a send whose outcome is unknown', () => {
  it('sends again from the version it recorded, with its stored boxes and no job in the pool', async () => {
    const pdf = await a4Pdf()
    const created = await createTemplate(pdf, {
      name: 'Retried',
      roles: [{ name: 'borrower', placements: [signatureAt(1, 70, 80)] }],
    })
    expect(created.status, created.text).toBe(201)
    const body = {
      template_id: created.json.id,
      title: 'Retried loan',
      signers: [{ role: 'borrower', privy_id: alice.privyId }],
    }
    const headers = { 'idempotency-key': `tpl-retry-${randomUUID()}` }
    // Privy answers 500: it may have taken the document, so the outcome is unknown.
    const faulted = await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/doc-signing',
      kind: 'status',
      status: 500,
      times: 1,
    })
    expect(faulted.status, faulted.text).toBeLessThan(300)
    const first = await gateway.call('POST', '/v1/documents', { token: officer, body, headers })
    expect(first.status, first.text).toBe(502)
    const id = first.json.document_id as string
    expect(id).toBeTruthy()
    // A new version meanwhile: the retry still sends the one the first attempt recorded.
    const replaced = await gateway.call('PUT', `/v1/templates/${created.json.id}`, {
      token: officer,
      form: uploadFormFileOnly(await a4Pdf()),
    })
    expect(replaced.json.version).toBe(2)

    const before = await pdfJobs()
    const retried = await gateway.call('POST', '/v1/documents', { token: officer, body, headers })
    expect(retried.status, retried.text).toBe(201)
    expect(await pdfJobs()).toEqual(before)
    expect(retried.json).toMatchObject({
      id,
      template_version: 1,
      sha256: sha256(pdf),
      submission: 'submitted',
    })
    const upstream = await simDocumentOf(gateway, retried.json.reference_number)
    expect(upstream.signers[0].positions).toMatchObject([{ page: 1, x: 70, y: 80 }])
    expect(sha256(await uploadedPdf(gateway, retried.json.reference_number))).toBe(sha256(pdf))
  })
})

describe('through the typed client', () => {
  it('creates, lists, replaces, sends from and deletes a template', async () => {
    const client = await clientFor(gateway, { token: officer })
    const meta = {
      name: 'Client template',
      roles: [{ name: 'borrower', placements: [signatureAt(1, 60, 60)] }],
    }
    const created = await client.templates.create({ file: await a4Pdf(), metadata: meta })
    expect(created).toMatchObject({ name: 'Client template', version: 1 })
    const listed: string[] = []
    for await (const template of client.templates.list({ limit: 2 })) listed.push(template.id)
    expect(listed).toContain(created.id)
    const replaced = await client.templates.replace(created.id, { metadata: { ...meta, name: 'Renamed' } })
    expect(replaced).toMatchObject({ name: 'Renamed', version: 2, sha256: created.sha256 })
    const document = await client.documents.fromTemplate({
      template_id: created.id,
      title: 'From the client',
      signers: [{ role: 'borrower', privy_id: alice.privyId }],
    })
    expect(document).toMatchObject({ template_id: created.id, template_version: 2 })
    await client.templates.delete(created.id)
    await expect(client.templates.get(created.id)).rejects.toMatchObject({ status: 404 })
  })
})

describe('an e-Meterai in a template', () => {
  it('resolves the stamp tag once and sends it with each document', async () => {
    const pdf = await distinctPdf(await pdfWithTags('{{meterai}}', [[400, 300]]))
    const created = await createTemplate(pdf, {
      name: 'Stamped',
      roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 50)] }],
      e_meterai: {
        category: 'surat_perjanjian',
        placements: [{ anchor: '{{meterai}}', width: 80, height: 80 }],
      },
    })
    expect(created.status, created.text).toBe(201)
    const stamp = { page: 1, x: 400, y: 529.89, width: 80, height: 80 }
    expect(created.json.e_meterai).toEqual({
      category: 'surat_perjanjian',
      order: 'after_signing',
      placements: [stamp],
    })
    const before = await pdfJobs()
    const sent = await gateway.call('POST', '/v1/documents', {
      token: officer,
      body: {
        template_id: created.json.id,
        title: 'Stamped loan',
        signers: [{ role: 'borrower', privy_id: alice.privyId }],
      },
    })
    expect(sent.status, sent.text).toBe(201)
    expect(await pdfJobs()).toEqual(before)
    expect(sent.json.e_meterai).toMatchObject({ category: 'surat_perjanjian', placements: [stamp] })
    const upstream = await simDocumentOf(gateway, sent.json.reference_number)
    expect(upstream.emeterai).toMatchObject({ positions: [{ page: 1, x: 400, y: 529.89 }] })
  })
})

describe('a template whose PDF was damaged in the store', () => {
  it('is refused with a 500 and an error line, and nothing is sent or stored', async () => {
    const pdf = await a4Pdf()
    const created = await createTemplate(pdf, {
      name: 'Damaged',
      roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 50)] }],
    })
    expect(created.status, created.text).toBe(201)
    const templateId = created.json.id as string
    // One byte changed in the database-backed store (the default), its length and key unchanged.
    const damaged = await gateway.database.prisma.$executeRaw`
      UPDATE "signed_pdfs" SET "bytes" = set_byte("bytes", 100, (get_byte("bytes", 100) + 1) % 256)
      WHERE "sha256" = ${sha256(pdf)}`
    expect(damaged).toBe(1)
    const documents = await gateway.database.prisma.document.count()
    const uploads = await upstreamCount(gateway)
    const logged = gateway.logs.lines.length

    const refused = await gateway.call('POST', '/v1/documents', {
      token: officer,
      body: {
        template_id: templateId,
        title: 'From a damaged PDF',
        signers: [{ role: 'borrower', privy_id: alice.privyId }],
      },
    })
    expect(refused.status, refused.text).toBe(500)
    expect(refused.headers['content-type']).toContain('application/problem+json')
    expect(refused.json).toMatchObject({ code: 'INTERNAL' })
    expect(refused.json.detail).toMatch(/stored PDF does not match its version/)
    expect(await gateway.database.prisma.document.count()).toBe(documents)
    expect(await upstreamCount(gateway)).toBe(uploads)
    const lines = gateway.logs.lines.slice(logged).map((line) => JSON.parse(line))
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        template_id: templateId,
        template_version: 1,
        expected_sha256: sha256(pdf),
        found_sha256: expect.not.stringMatching(sha256(pdf)),
      }),
    )

    // A new version from its metadata alone would be searched in the damaged PDF: refused the same way.
    const renamed = await gateway.call('PUT', `/v1/templates/${templateId}`, {
      token: officer,
      form: uploadFormMetadataOnly({
        name: 'Damaged, renamed',
        roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 50)] }],
      }),
    })
    expect(renamed.status, renamed.text).toBe(500)
    expect(renamed.json.code).toBe('INTERNAL')
    expect((await gateway.call('GET', `/v1/templates/${templateId}`, { token: officer })).json.version).toBe(
      1,
    )
  })
})

function uploadFormMetadataOnly(metadata: Record<string, unknown>) {
  const form = uploadForm(Buffer.from('%PDF-'), metadata)
  form.delete('file')
  return form
}
