import { beforeAll, describe, expect, it } from 'vitest'
import { a4Pdf, stampAt, uploadForm } from '../helpers/documents.js'
import { type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'

/**
 * The reproductions of issue 10's "NUL bytes are 500s": a `\u0000` in a document title, a signer
 * `privy_id`, the callbacks `reference_number` filter and a webhook `url` (POST and PATCH) reached
 * PostgreSQL and answered 500 INTERNAL. Each is now a 400 naming the field, and nothing stored changes.
 * And the other side of the rule: the text people really write still passes.
 */

let token: string
const operator = { apiKey: TEST_API_KEY }

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken('text-fields-user')
})

function expectFieldRefused(answer: CallResult, field: string) {
  expect(answer.status, answer.text).toBe(400)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  expect(answer.json.code).toBe('VALIDATION_FAILED')
  expect(answer.json.errors.map((error: { path: string }) => error.path)).toContain(field)
  // The refused value is not echoed back.
  expect(answer.text).not.toContain('\\u0000')
}

const stampOnly = (title: string) => ({
  title,
  e_meterai: { category: 'surat_perjanjian', placements: [stampAt(1, 450, 700)] },
})

describe('a NUL where PostgreSQL cannot store it', () => {
  it('in a document title (multipart metadata): 400 metadata.title, nothing stored', async () => {
    const answer = await gateway.call('POST', '/v1/documents', {
      token,
      form: uploadForm(await a4Pdf(), stampOnly('Loan\u0000agreement')),
    })
    expectFieldRefused(answer, 'metadata.title')
    expect(await gateway.database.prisma.document.count()).toBe(0)
  })

  it('in a signer privy_id: 400 metadata.signers.0.privy_id', async () => {
    const answer = await gateway.call('POST', '/v1/documents', {
      token,
      form: uploadForm(await a4Pdf(), {
        title: 'Loan agreement',
        signers: [
          {
            privy_id: 'PRIVY\u000001',
            placements: [{ page: 1, x: 50, y: 700, width: 150, height: 75, unit: 'pt' }],
          },
        ],
      }),
    })
    expectFieldRefused(answer, 'metadata.signers.0.privy_id')
  })

  it('in the callbacks reference_number filter: 400 query.reference_number', async () => {
    const answer = await gateway.call('GET', '/v1/privy/callbacks?reference_number=REG%00-1', operator)
    expectFieldRefused(answer, 'query.reference_number')
  })

  it('in a webhook url, on POST and on PATCH: 400 url, and the endpoint keeps its url', async () => {
    const created = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      body: { url: 'https://merchant.example.co.id/hooks\u0000' },
    })
    expectFieldRefused(created, 'url')
    expect(await gateway.database.prisma.webhookEndpoint.count()).toBe(0)

    const endpoint = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      body: { url: 'https://merchant.example.co.id/hooks' },
    })
    expect(endpoint.status, endpoint.text).toBe(201)
    const patched = await gateway.call('PATCH', `/v1/webhook-endpoints/${endpoint.json.id}`, {
      ...operator,
      body: { url: 'https://merchant.example.co.id/ho\u0000oks' },
    })
    expectFieldRefused(patched, 'url')
    const after = await gateway.call('GET', `/v1/webhook-endpoints/${endpoint.json.id}`, operator)
    expect(after.json.url).toBe('https://merchant.example.co.id/hooks')
  })

  it('in the JWT sub, which becomes the owner of what the user creates: 401, not 500', async () => {
    const forged = await gateway.userToken('user\u0000one')
    const answer = await gateway.call('GET', '/v1/registrations', { token: forged })
    expect(answer.status, answer.text).toBe(401)
    expect(answer.json.code).toBe('UNAUTHENTICATED')
  })
})

describe('the text people write', () => {
  it('keeps accents, other scripts, emoji and inner spaces; trims the ends of a title', async () => {
    const title = 'Perjanjian Kredit — Ñoño 契約 عقد 📄\u00a0v2'
    const answer = await gateway.call('POST', '/v1/documents', {
      token,
      form: uploadForm(await a4Pdf(), stampOnly(`  ${title}\n`)),
    })
    expect(answer.status, answer.text).toBe(201)
    expect(answer.json.title).toBe(title)
  })

  it('refuses a line break inside a one-line field, and keeps it in a note that may span lines', async () => {
    const title = await gateway.call('POST', '/v1/documents', {
      token,
      form: uploadForm(await a4Pdf(), stampOnly('Loan\nagreement')),
    })
    expectFieldRefused(title, 'metadata.title')

    const description = 'Back office\n\tsecond line\r\n'
    const created = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      body: { url: 'https://merchant.example.co.id/notes', description: `${description}x` },
    })
    expect(created.status, created.text).toBe(201)
    expect(created.json.description).toBe(`${description}x`)
    const bell = await gateway.call('PATCH', `/v1/webhook-endpoints/${created.json.id}`, {
      ...operator,
      body: { description: 'ring \u0007 twice' },
    })
    expectFieldRefused(bell, 'description')
  })
})
