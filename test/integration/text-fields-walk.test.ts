import { randomUUID } from 'node:crypto'
import { FormData } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { signatureOfBytes } from '../../src/modules/privy-callbacks/callback.signature.js'
import { privyTimestamp } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { a4Pdf, signatureAt } from '../helpers/documents.js'
import { type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, photo } from '../helpers/identity.js'
import { operationsOf } from '../helpers/openapi-strings.js'
import { type BodySamples, type Poisoned, variantsOf } from '../helpers/poisoned-requests.js'
import { internalLeaks } from '../helpers/response-hygiene.js'

/**
 * Issue 10, item 3: walks the gateway's own OpenAPI document and, for every operation, puts control
 * characters into every string it takes (path, query and header parameters, JSON body fields, the
 * multipart fields of registrations and the members of a document's `metadata`), one at a time, as a
 * caller allowed to reach the route. Nothing may answer 5xx (a NUL used to reach PostgreSQL and
 * answer 500), and every route that validates its input answers 400 naming the field.
 *
 * A route without a sample fails the walk, and so does a sample that leaves a string of its route
 * unreached, so a new route or field cannot slip past it.
 */

interface Sample extends BodySamples {
  /** Who calls: a user token, the operator key, or Privy's signature (a route read as raw bytes). */
  access: 'public' | 'user' | 'operator' | 'signature'
}

let userToken = ''
const samples: Record<string, Sample> = {}

const gateway = useGateway()
beforeAll(async () => {
  userToken = await gateway.userToken(`walk-${randomUUID()}`)
  const full = await fullRegistrationJson()
  const landing = {
    registration_type: 'landing_page',
    name: 'Siti Aminah',
    email: 'siti@example.co.id',
    phone: '6281234567890',
  }
  const { ktp: _ktp, selfie: _selfie, ...fullFields } = full
  const images = {
    ktp: { bytes: await photo('jpeg'), type: 'image/jpeg', name: 'ktp.jpg' },
    selfie: { bytes: await photo('png', 480, 640, 7), type: 'image/png', name: 'selfie.png' },
  }
  const placement = { page: 1, x: 400, y: 700, width: 80, height: 80, unit: 'pt' }
  const metadata = {
    title: 'Walk agreement',
    sign_process: 'parallel',
    visibility: true,
    signers: [{ registration_id: randomUUID(), role: 'signer', placements: [signatureAt(1, 50, 500)] }],
    e_meterai: { category: 'surat_perjanjian', order: 'after_signing', placements: [placement] },
  }
  const pdf = { bytes: await a4Pdf(), type: 'application/pdf', name: 'walk.pdf' }
  const template = {
    name: 'Walk template',
    sign_process: 'parallel',
    visibility: true,
    roles: [
      {
        name: 'borrower',
        role: 'signer',
        placements: [
          {
            anchor: '{{sign:borrower}}',
            offset: { x: 0, y: 0 },
            width: 150,
            height: 75,
            unit: 'pt',
            occurrence: 'all',
          },
        ],
      },
    ],
    e_meterai: { category: 'surat_perjanjian', order: 'after_signing', placements: [placement] },
  }
  const webhook = {
    url: 'https://merchant.example.co.id/hooks',
    description: 'walk',
    event_types: ['registration.updated'],
  }
  Object.assign(samples, {
    'GET /health/live': { access: 'public' },
    'GET /health/ready': { access: 'public' },
    'POST /v1/registrations': {
      access: 'user',
      json: [landing, full],
      form: [{ fields: landing }, { fields: fullFields, files: images }],
    },
    'POST /v1/registrations/lookup': { access: 'operator', json: [{ nik: full.nik }] },
    'GET /v1/registrations': { access: 'user' },
    'GET /v1/registrations/{id}': { access: 'user' },
    'POST /v1/registrations/{id}/resend': {
      access: 'user',
      json: [{ name: 'Siti Aminah', nik: full.nik, dob: full.dob, ktp: full.ktp, selfie: full.selfie }],
      form: [{ fields: { name: 'Siti Aminah', nik: full.nik, dob: full.dob }, files: images }],
    },
    'POST /v1/documents': {
      access: 'user',
      form: [{ fields: { metadata }, files: { file: pdf } }],
      json: [
        {
          template_id: randomUUID(),
          title: 'Walk loan',
          sign_process: 'serial',
          visibility: true,
          signers: [
            { role: 'borrower', privy_id: 'SIAM4201' },
            { role: 'lender', registration_id: randomUUID() },
          ],
        },
      ],
    },
    'POST /v1/templates': {
      access: 'user',
      form: [{ fields: { metadata: template }, files: { file: pdf } }],
    },
    'GET /v1/templates': { access: 'user' },
    'GET /v1/templates/{id}': { access: 'user' },
    'GET /v1/templates/{id}/pdf': { access: 'user' },
    'PUT /v1/templates/{id}': {
      access: 'user',
      form: [{ fields: { metadata: template }, files: { file: pdf } }],
    },
    'DELETE /v1/templates/{id}': { access: 'user' },
    'GET /v1/documents': { access: 'user' },
    'GET /v1/documents/{id}': { access: 'user' },
    'GET /v1/documents/{id}/history': { access: 'user' },
    'POST /v1/documents/{id}/revoke': { access: 'user', json: [{ reason: 'Withdrawn by the borrower' }] },
    'GET /v1/documents/{id}/signed.pdf': { access: 'user' },
    'POST /v1/privy/callbacks': {
      access: 'signature',
      json: [{ event: 'register', data: { reference_number: 'REG-WALK-0001', status: 'verified' } }],
    },
    'GET /v1/privy/callbacks': { access: 'operator' },
    'POST /v1/privy/callbacks/{id}/reapply': { access: 'operator' },
    'POST /v1/otp': {
      access: 'user',
      json: [
        { otp_type: 'registration', otp_channel: 'sms', registration_id: randomUUID() },
        { otp_type: 'document_signing', otp_channel: 'email', document_ids: [randomUUID()] },
      ],
    },
    'POST /v1/otp/{id}/validate': { access: 'user', json: [{ otp_code: '123456' }] },
    'POST /v1/otp/{id}/resend': { access: 'user' },
    'POST /v1/webhook-endpoints': { access: 'operator', json: [webhook] },
    'GET /v1/webhook-endpoints': { access: 'operator' },
    'GET /v1/webhook-endpoints/{id}': { access: 'operator' },
    'PATCH /v1/webhook-endpoints/{id}': { access: 'operator', json: [webhook] },
    'DELETE /v1/webhook-endpoints/{id}': { access: 'operator' },
    'POST /v1/webhook-endpoints/{id}/rotate-secret': { access: 'operator', json: [{}] },
    'GET /v1/events': { access: 'user' },
    'GET /v1/webhook-deliveries': { access: 'operator' },
    'GET /v1/webhook-deliveries/{id}': { access: 'operator' },
    'POST /v1/webhook-deliveries/{id}/replay': { access: 'operator' },
  } satisfies Record<string, Sample>)
}, 60_000)

// --- sending one poisoned request ------------------------------------------------------------------

function auth(sample: Sample) {
  if (sample.access === 'operator') return { apiKey: TEST_API_KEY }
  if (sample.access === 'user') return { token: userToken }
  return {}
}

async function send(method: string, sample: Sample, poisoned: Poisoned): Promise<CallResult> {
  if (poisoned.form) {
    const form = new FormData()
    for (const [name, value] of Object.entries(poisoned.form.fields)) {
      form.append(name, typeof value === 'string' ? value : JSON.stringify(value))
    }
    for (const [name, file] of Object.entries(poisoned.form.files ?? {})) {
      form.append(name, new Blob([file.bytes], { type: file.type }), file.name)
    }
    return gateway.call(method, poisoned.path, { ...auth(sample), form, headers: poisoned.headers })
  }
  if (poisoned.json === undefined) {
    return gateway.call(method, poisoned.path, { ...auth(sample), headers: poisoned.headers })
  }
  const raw = Buffer.from(JSON.stringify(poisoned.json))
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (sample.access === 'signature') {
    headers.timestamp = privyTimestamp(new Date())
    headers.signature = signatureOfBytes(DEV_CREDENTIALS, headers.timestamp, raw)
  }
  return gateway.call(method, poisoned.path, {
    ...auth(sample),
    rawBody: raw,
    headers: { ...headers, ...poisoned.headers },
  })
}

// --- the walk ----------------------------------------------------------------------------------------

describe('control characters in every string a caller sends', () => {
  it('never answer 5xx, and answer 400 naming the field wherever the route validates it', async () => {
    const document = (await gateway.call('GET', '/openapi.json')).json
    const operations = operationsOf(document)
    expect(
      operations.filter(({ route }) => !(route in samples)).map(({ route }) => route),
      'routes without a sample',
    ).toEqual([])
    expect(
      Object.keys(samples).filter((route) => !operations.some((op) => op.route === route)),
      'samples of routes that are gone',
    ).toEqual([])

    const failures: string[] = []
    const unreached: string[] = []
    let sent = 0
    for (const { route, method, operation } of operations) {
      const sample = samples[route] as Sample
      const { variants, expected, reached } = variantsOf(document, operation, route, sample)
      unreached.push(
        ...[...expected].filter((field) => !reached.has(field)).map((field) => `${route} ${field}`),
      )
      for (const variant of variants) {
        const answer = await send(method.toUpperCase(), sample, variant)
        sent += 1
        const context = `${route} ${variant.field} (${variant.path.slice(0, 80)}) → ${answer.status} ${answer.text.slice(0, 200)}`
        if (answer.status >= 500 || internalLeaks(answer.text).length > 0) {
          failures.push(context)
          continue
        }
        // Privy's callback is read as raw bytes and answered by its own contract (401, 200, …): no 5xx is its bar.
        if (sample.access === 'signature') continue
        const named = (answer.json?.errors ?? []).map((error: { path: string }) => error.path)
        if (
          answer.status !== 400 ||
          !String(answer.headers['content-type']).includes('application/problem+json') ||
          !named.includes(variant.field)
        ) {
          failures.push(context)
        }
      }
    }
    expect(unreached, 'string fields no sample reaches').toEqual([])
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(300)
  }, 300_000)

  it('left nothing behind: no registration, document or webhook endpoint was created by the walk', async () => {
    const prisma = gateway.database.prisma
    expect(await prisma.registration.count()).toBe(0)
    expect(await prisma.document.count()).toBe(0)
    expect(await prisma.webhookEndpoint.count()).toBe(0)
  })
})
