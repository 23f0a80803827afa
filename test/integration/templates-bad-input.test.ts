import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { manyPages } from '../fixtures/pdf/hostile.js'
import { documentJavaScript } from '../fixtures/pdf/pdfs.js'
import {
  a4Pdf,
  distinctPdf,
  documentCast,
  type SignerUser,
  signatureAt,
  uploadForm,
  upstreamCount,
} from '../helpers/documents.js'
import { type CallResult, useGateway } from '../helpers/gateway.js'
import { pdfWithTags } from '../helpers/tagged-pdfs.js'

/**
 * Every new route refuses bad input with problem+json and stores nothing: malformed, oversized, missing,
 * hostile (not a PDF, PDF bombs, active content, unknown fields, prototype keys, huge lists), bad ids,
 * wrong content types; and a document from a template refuses roles that do not match.
 */

let officer: string
let alice: SignerUser
let bob: SignerUser
let templateId: string

const MiB = 1024 * 1024
const gateway = useGateway({ DOCUMENT_MAX_BYTES: String(2 * MiB) })

const role = (name: string, placements: unknown[] = [signatureAt(1, 50, 50)]) => ({ name, placements })
const metadata = (extra: Record<string, unknown> = {}) => ({
  name: 'Loan',
  roles: [role('borrower'), role('lender', [signatureAt(1, 300, 50)])],
  ...extra,
})

beforeAll(async () => {
  ;({ officer, alice, bob } = await documentCast(gateway, 'tplbad', ['alice', 'bob']))
  const created = await post(await a4Pdf(), metadata())
  expect(created.status, created.text).toBe(201)
  templateId = created.json.id
})

async function post(pdf: Buffer, meta: unknown) {
  return gateway.call('POST', '/v1/templates', { token: officer, form: uploadForm(pdf, meta) })
}

function expectProblem(answer: CallResult, status: number, code?: string) {
  expect(answer.status, answer.text.slice(0, 400)).toBe(status)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  if (code) expect(answer.json.code).toBe(code)
}

async function templateCount() {
  return gateway.database.prisma.template.count()
}

describe('POST /v1/templates refuses', () => {
  it('missing parts, malformed and unknown metadata, and stores nothing', async () => {
    const before = await templateCount()
    const noFile = uploadForm(await a4Pdf(), metadata())
    noFile.delete('file')
    const missingFile = await gateway.call('POST', '/v1/templates', { token: officer, form: noFile })
    expectProblem(missingFile, 400, 'VALIDATION_FAILED')
    expect(missingFile.json.errors).toEqual([{ path: 'file', message: 'is required' }])

    const noMeta = uploadForm(await a4Pdf(), {})
    noMeta.delete('metadata')
    const missingMeta = await gateway.call('POST', '/v1/templates', { token: officer, form: noMeta })
    expectProblem(missingMeta, 400, 'VALIDATION_FAILED')
    expect(missingMeta.json.errors).toEqual([{ path: 'metadata', message: 'is required' }])

    const broken = uploadForm(await a4Pdf(), {})
    broken.set('metadata', '{"name": ')
    expectProblem(await gateway.call('POST', '/v1/templates', { token: officer, form: broken }), 400)

    const unknown = await post(await a4Pdf(), metadata({ owner_id: 'user:someone-else' }))
    expectProblem(unknown, 400, 'VALIDATION_FAILED')
    expect(unknown.json.errors).toContainEqual({
      path: 'metadata.owner_id',
      message: 'is not a field of this request',
    })

    const proto = uploadForm(await a4Pdf(), {})
    proto.set('metadata', '{"__proto__": {"admin": true}, "name": "x", "roles": []}')
    expectProblem(await gateway.call('POST', '/v1/templates', { token: officer, form: proto }), 400)

    const noRoles = await post(await a4Pdf(), { name: 'Nobody signs' })
    expectProblem(noRoles, 400, 'VALIDATION_FAILED')

    const tooMany = await post(
      await a4Pdf(),
      metadata({ roles: Array.from({ length: 21 }, (_, i) => role(`r${i}`)) }),
    )
    expectProblem(tooMany, 400, 'VALIDATION_FAILED')
    expect(tooMany.json.errors[0].path).toBe('metadata.roles')

    const badName = await post(await a4Pdf(), metadata({ roles: [role('../etc/passwd')] }))
    expectProblem(badName, 400, 'VALIDATION_FAILED')
    expect(badName.json.errors[0].path).toBe('metadata.roles.0.name')

    const huge = uploadForm(await a4Pdf(), {})
    huge.set('metadata', JSON.stringify({ name: 'x'.repeat(70 * 1024) }))
    expectProblem(await gateway.call('POST', '/v1/templates', { token: officer, form: huge }), 413)
    expect(await templateCount()).toBe(before)
  })

  it('duplicate role names, tags not found, boxes off the page, with the upload 422s', async () => {
    const before = await templateCount()
    const twice = await post(await a4Pdf(), metadata({ roles: [role('borrower'), role('borrower')] }))
    expectProblem(twice, 422, 'UNPROCESSABLE')
    expect(twice.json.errors).toEqual([
      { path: 'metadata.roles.1.name', message: '"borrower" is named twice' },
    ])

    const tagged = await distinctPdf(await pdfWithTags('{{sign:a}}', [[60, 700]]))
    const missing = await post(
      tagged,
      metadata({ roles: [role('a', [{ anchor: '{{sign:b}}', width: 150, height: 75 }])] }),
    )
    expectProblem(missing, 422, 'UNPROCESSABLE')
    expect(missing.json.errors).toEqual([
      {
        path: 'metadata.roles.0.placements.0.anchor',
        message: '"{{sign:b}}" was not found in the document (0 times)',
      },
    ])

    const off = await post(await a4Pdf(), metadata({ roles: [role('a', [signatureAt(3, 50, 50)])] }))
    expectProblem(off, 422, 'UNPROCESSABLE')
    expect(off.json.errors[0].path).toBe('metadata.roles.0.placements.0.page')
    expect(await templateCount()).toBe(before)
  })

  it('what is not a PDF, active content and a PDF past the page limit', async () => {
    const before = await templateCount()
    expectProblem(await post(Buffer.from('<html><script>alert(1)</script></html>'), metadata()), 422)
    const script = await post(await documentJavaScript(), metadata())
    expectProblem(script, 422, 'UNPROCESSABLE')
    expectProblem(await post(manyPages(3_000), metadata()), 422, 'PDF_TOO_COMPLEX')
    expect(await templateCount()).toBe(before)
  })

  it('a PDF over the size limit, and other content types', async () => {
    const big = Buffer.concat([await a4Pdf(), Buffer.alloc(2 * MiB + 1, 0x20)])
    expectProblem(await post(big, metadata()), 413, 'PAYLOAD_TOO_LARGE')
    const asJson = await gateway.call('POST', '/v1/templates', { token: officer, body: metadata() })
    expectProblem(asJson, 415)
  })
})

describe('the other template routes refuse', () => {
  it('bad ids, unknown ids, and a PUT with nothing in it', async () => {
    for (const [method, path] of [
      ['GET', '/v1/templates/not-a-uuid'],
      ['GET', '/v1/templates/not-a-uuid/pdf'],
      ['DELETE', '/v1/templates/not-a-uuid'],
    ] as const) {
      expectProblem(await gateway.call(method, path, { token: officer }), 400, 'VALIDATION_FAILED')
    }
    const put = await gateway.call('PUT', '/v1/templates/not-a-uuid', {
      token: officer,
      form: uploadForm(await a4Pdf(), metadata()),
    })
    expectProblem(put, 400, 'VALIDATION_FAILED')
    expect(put.json.errors).toEqual([{ path: 'params.id', message: 'must be a template id (UUID)' }])
    const unknown = randomUUID()
    expectProblem(await gateway.call('GET', `/v1/templates/${unknown}`, { token: officer }), 404, 'NOT_FOUND')
    expectProblem(await gateway.call('DELETE', `/v1/templates/${unknown}`, { token: officer }), 404)
    const empty = uploadForm(await a4Pdf(), {})
    empty.delete('file')
    empty.delete('metadata')
    const nothing = await gateway.call('PUT', `/v1/templates/${templateId}`, { token: officer, form: empty })
    expectProblem(nothing, 400, 'VALIDATION_FAILED')
    const badCursor = await gateway.call('GET', '/v1/templates?cursor=%FF%FE&limit=500', { token: officer })
    expectProblem(badCursor, 400, 'VALIDATION_FAILED')
    const ownerAsUser = await gateway.call('GET', '/v1/templates?owner=user:someone', { token: officer })
    expectProblem(ownerAsUser, 400, 'VALIDATION_FAILED')
  })

  it('PUT with only metadata keeps the PDF and resolves the new placements (version 2)', async () => {
    const before = await gateway.call('GET', `/v1/templates/${templateId}`, { token: officer })
    const form = uploadForm(await a4Pdf(), metadata({ name: 'Loan, revised', sign_process: 'serial' }))
    form.delete('file')
    const changed = await gateway.call('PUT', `/v1/templates/${templateId}`, { token: officer, form })
    expect(changed.status, changed.text).toBe(200)
    expect(changed.json).toMatchObject({
      name: 'Loan, revised',
      sign_process: 'serial',
      version: before.json.version + 1,
      sha256: before.json.sha256,
    })
    const refused = uploadForm(await a4Pdf(), metadata({ roles: [role('a', [signatureAt(9, 1, 1)])] }))
    refused.delete('file')
    const bad = await gateway.call('PUT', `/v1/templates/${templateId}`, { token: officer, form: refused })
    expectProblem(bad, 422, 'UNPROCESSABLE')
    const after = await gateway.call('GET', `/v1/templates/${templateId}`, { token: officer })
    expect(after.json.version).toBe(changed.json.version)
  })
})

describe('POST /v1/documents from a template refuses', () => {
  const send = (body: unknown) => gateway.call('POST', '/v1/documents', { token: officer, body })
  const signers = () => [
    { role: 'borrower', privy_id: alice.privyId },
    { role: 'lender', privy_id: bob.privyId },
  ]

  it('roles without a signer, unknown roles and a role twice, naming them; nothing sent', async () => {
    const upstream = await upstreamCount(gateway)
    const rows = await gateway.database.prisma.document.count()
    const missing = await send({ template_id: templateId, title: 'x', signers: [signers()[0]] })
    expectProblem(missing, 422, 'UNPROCESSABLE')
    expect(missing.json.errors).toEqual([{ path: 'signers', message: 'role "lender" has no signer' }])
    const unknown = await send({
      template_id: templateId,
      title: 'x',
      signers: [...signers(), { role: 'guarantor', privy_id: alice.privyId }],
    })
    expectProblem(unknown, 422)
    expect(unknown.json.errors).toEqual([
      { path: 'signers.2.role', message: 'is not a role of this template' },
    ])
    const twice = await send({
      template_id: templateId,
      title: 'x',
      signers: [...signers(), { role: 'lender', privy_id: alice.privyId }],
    })
    expect(twice.json.errors).toEqual([{ path: 'signers.2.role', message: '"lender" has a signer already' }])
    const stranger = await send({
      template_id: templateId,
      title: 'x',
      signers: [signers()[0], { role: 'lender', privy_id: 'NOBODY01' }],
    })
    expectProblem(stranger, 422)
    expect(stranger.json.errors).toEqual([
      { path: 'signers.1.privy_id', message: 'is not a verified registration' },
    ])
    expect(await upstreamCount(gateway)).toBe(upstream)
    expect(await gateway.database.prisma.document.count()).toBe(rows)
  })

  it('malformed, unknown fields, bad ids, prototype keys, oversized, other content types', async () => {
    expectProblem(
      await gateway.call('POST', '/v1/documents', {
        token: officer,
        rawBody: '{"template_id":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    )
    const proto = await gateway.call('POST', '/v1/documents', {
      token: officer,
      rawBody: `{"template_id":"${templateId}","title":"x","signers":[],"__proto__":{"a":1}}`,
      headers: { 'content-type': 'application/json' },
    })
    expectProblem(proto, 400)
    const extra = await send({ template_id: templateId, title: 'x', signers: signers(), file: 'AAAA' })
    expectProblem(extra, 400, 'VALIDATION_FAILED')
    expect(extra.json.errors).toEqual([{ path: 'file', message: 'is not a field of this request' }])
    const badId = await send({ template_id: 'nope', title: 'x', signers: signers() })
    expect(badId.json.errors).toEqual([{ path: 'template_id', message: 'must be a template id (UUID)' }])
    expectProblem(await send({ template_id: randomUUID(), title: 'x', signers: signers() }), 404, 'NOT_FOUND')
    expectProblem(await send({ title: 'x', signers: signers() }), 400, 'VALIDATION_FAILED')
    expectProblem(await send([1, 2]), 400, 'VALIDATION_FAILED')
    const many = await send({
      template_id: templateId,
      title: 'x',
      signers: Array.from({ length: 5000 }, (_, i) => ({ role: `r${i}`, privy_id: 'AB1234' })),
    })
    expectProblem(many, 400, 'VALIDATION_FAILED')
    const big = await gateway.call('POST', '/v1/documents', {
      token: officer,
      rawBody: `{"pad":"${'x'.repeat(1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json' },
    })
    expectProblem(big, 413, 'PAYLOAD_TOO_LARGE')
    const text = await gateway.call('POST', '/v1/documents', {
      token: officer,
      rawBody: 'template_id=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expectProblem(text, 415)
  })
})
