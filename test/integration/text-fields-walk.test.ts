import { randomUUID } from 'node:crypto'
import { FormData } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signatureOfBytes } from '../../src/modules/privy-callbacks/callback.signature.js'
import { privyTimestamp } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { a4Pdf, signatureAt } from '../helpers/documents.js'
import { type CallResult, startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, photo } from '../helpers/identity.js'
import {
  type FieldPath,
  type Json,
  operationsOf,
  pathText,
  walkSchema,
  withValueAt,
} from '../helpers/openapi-strings.js'
import { internalLeaks } from '../helpers/response-hygiene.js'

/**
 * Issue 10, item 3: walks the gateway's own OpenAPI document and, for every operation, puts control
 * characters into every string it takes (path and query parameters, JSON body fields, the multipart
 * fields of registrations and the members of a document's `metadata`), one field at a time, as a
 * caller allowed to reach the route. Nothing may answer 5xx (a NUL used to reach PostgreSQL and
 * answer 500), and every route that validates its input answers 400 naming the field.
 *
 * A route without a sample fails the walk, and so does a sample that leaves a string of its route
 * unreached, so a new route or field cannot slip past it.
 */

interface Poison {
  char: string
  /** Where in the field's value: a URL with a NUL in its host is refused as a URL, at its end it is not. */
  at: 'start' | 'middle' | 'end'
}

/** NUL at each end and inside, other C0 controls, DEL, a C1 control ... */
const POISONS: Poison[] = [
  { char: '\u0000', at: 'start' },
  { char: '\u0000', at: 'middle' },
  { char: '\u0000', at: 'end' },
  { char: '\u0001', at: 'end' },
  { char: '\u001f', at: 'middle' },
  { char: '\u007f', at: 'end' },
  { char: '\u0085', at: 'middle' },
]
/** In a header only tab and obs-text travel (Node refuses the rest: http-client-errors.test.ts). */
const HEADER_POISONS: Poison[] = [
  { char: '\t', at: 'middle' },
  { char: '\u0085', at: 'middle' },
]
/** ... and unpaired surrogates, where the transport can carry one (JSON; not UTF-8 forms or URLs). */
const JSON_ONLY_POISONS: Poison[] = [
  { char: '\ud800', at: 'end' },
  { char: '\udc00', at: 'middle' },
]

interface FormSample {
  fields: Record<string, unknown>
  files?: Record<string, { bytes: Buffer; type: string; name: string }>
}

interface Sample {
  /** Who calls: a user token, the operator key, or Privy's signature (a route read as raw bytes). */
  access: 'public' | 'user' | 'operator' | 'signature'
  json?: unknown[]
  form?: FormSample[]
}

let gateway: TestGateway
let userToken = ''
const samples: Record<string, Sample> = {}

beforeAll(async () => {
  gateway = await startTestGateway()
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
    'POST /v1/documents': { access: 'user', form: [{ fields: { metadata }, files: { file: pdf } }] },
    'GET /v1/documents': { access: 'user' },
    'GET /v1/documents/{id}': { access: 'user' },
    'GET /v1/documents/{id}/history': { access: 'user' },
    'POST /v1/documents/{id}/revoke': { access: 'user' },
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
    'GET /v1/webhook-deliveries': { access: 'operator' },
    'GET /v1/webhook-deliveries/{id}': { access: 'operator' },
    'POST /v1/webhook-deliveries/{id}/replay': { access: 'operator' },
  } satisfies Record<string, Sample>)
}, 60_000)

afterAll(async () => {
  await gateway?.close()
})

// --- sending one poisoned request ------------------------------------------------------------------

interface Poisoned {
  path: string
  json?: unknown
  form?: FormSample
  headers?: Record<string, string>
  /** Where the answer must name the field (`name`, `metadata.title`, `query.cursor`, `params.id`). */
  field: string
}

const poisonInto = (value: unknown, { char, at }: Poison) => {
  const base = typeof value === 'string' && value.length > 0 ? value : 'walk'
  const cut = at === 'start' ? 0 : at === 'end' ? base.length : Math.floor(base.length / 2)
  return `${base.slice(0, cut)}${char}${base.slice(cut)}`
}

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

/** Every poisoned variant of one operation, and the string fields it reaches (for coverage). */
function variantsOf(document: Json, operation: Json, route: string, sample: Sample) {
  const [, template = ''] = route.split(' ')
  const ids = Object.fromEntries(
    (operation.parameters ?? [])
      .filter((p: Json) => p.in === 'path')
      .map((p: Json) => [p.name, randomUUID()]),
  )
  const url = (params: Record<string, string>, query = '') =>
    template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '')) + query
  const variants: Poisoned[] = []
  const reached = new Set<string>()
  const expected = new Set<string>()
  const note = (where: string, path: FieldPath) => `${where}:${pathText(path)}`

  for (const parameter of operation.parameters ?? []) {
    const { strings } = walkSchema(document, parameter.schema)
    if (strings.length === 0) continue
    expected.add(note(parameter.in, [parameter.name]))
    reached.add(note(parameter.in, [parameter.name]))
    if (parameter.in === 'header') {
      // The route's own sample body, unchanged: only the header is wrong.
      const body = sample.form?.[0] ? { form: sample.form[0] } : { json: sample.json?.[0] }
      for (const poison of HEADER_POISONS) {
        const headers = { [parameter.name]: poisonInto(`walk-${parameter.name}-0001`, poison) }
        variants.push({ path: url(ids), ...body, headers, field: `headers.${parameter.name}` })
      }
      continue
    }
    for (const poison of POISONS) {
      const value = poisonInto(ids[parameter.name], poison)
      variants.push(
        parameter.in === 'path'
          ? { path: url({ ...ids, [parameter.name]: value }), field: `params.${parameter.name}` }
          : {
              path: url(ids, `?${parameter.name}=${encodeURIComponent(value)}`),
              field: `query.${parameter.name}`,
            },
      )
    }
  }

  for (const [type, media] of Object.entries(
    (operation.requestBody?.content ?? {}) as Record<string, Json>,
  )) {
    const where = type === 'multipart/form-data' ? 'form' : 'json'
    for (const node of walkSchema(document, media.schema).strings) {
      if (node.schema.format !== 'binary') expected.add(note(where, node.path))
    }
    const bodies: Array<{ guide: unknown; form?: FormSample }> =
      where === 'form'
        ? (sample.form ?? []).map((form) => ({
            guide: {
              ...form.fields,
              ...Object.fromEntries(Object.keys(form.files ?? {}).map((name) => [name, 'file'])),
            },
            form,
          }))
        : (sample.json ?? []).map((json) => ({ guide: json }))
    for (const { guide, form } of bodies) {
      for (const node of walkSchema(document, media.schema, { value: guide }).strings) {
        if (node.schema.format === 'binary') continue
        reached.add(note(where, node.path))
        const poisons = where === 'json' ? [...POISONS, ...JSON_ONLY_POISONS] : POISONS
        for (const poison of poisons) variants.push(poisonedBody(ids, url, node.path, poison, guide, form))
      }
    }
  }
  return { variants, expected, reached }
}

function poisonedBody(
  ids: Record<string, string>,
  url: (params: Record<string, string>) => string,
  path: FieldPath,
  poison: Poison,
  guide: unknown,
  form: FormSample | undefined,
): Poisoned {
  const field = pathText(path)
  if (!form) {
    const current = path.reduce<Json>((value, key) => value?.[key], guide)
    return { path: url(ids), json: withValueAt(guide, path, poisonInto(current, poison)), field }
  }
  const [name = '', ...inner] = path
  const files = { ...form.files }
  if (inner.length === 0 && typeof form.fields[name] === 'object') {
    // The JSON text itself (a document's metadata): a control character before it is not JSON.
    return {
      path: url(ids),
      form: {
        fields: { ...form.fields, [name]: `${poison.char}${JSON.stringify(form.fields[name])}` },
        files,
      },
      field,
    }
  }
  // A file part replaced by a text field says the same: only the named field is wrong.
  delete files[name as string]
  const current = path.reduce<Json>((value, key) => value?.[key], form.fields)
  return {
    path: url(ids),
    form: {
      fields: withValueAt(form.fields, path, poisonInto(current, poison)) as Record<string, unknown>,
      files,
    },
    field,
  }
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
    console.log(`${sent} poisoned requests`)
    expect(sent).toBeGreaterThan(300)
  }, 300_000)

  it('left nothing behind: no registration, document or webhook endpoint was created by the walk', async () => {
    const prisma = gateway.database.prisma
    expect(await prisma.registration.count()).toBe(0)
    expect(await prisma.document.count()).toBe(0)
    expect(await prisma.webhookEndpoint.count()).toBe(0)
  })
})
