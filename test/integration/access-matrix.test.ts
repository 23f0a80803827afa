import { randomUUID } from 'node:crypto'
import type { FormData } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CALLBACK_BODY_LIMIT } from '../../src/modules/privy-callbacks/callback.routes.js'
import { signatureOfBytes } from '../../src/modules/privy-callbacks/callback.signature.js'
import { registrationJsonBodyLimit } from '../../src/modules/registration/registration.multipart.js'
import { privyTimestamp } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { a4Pdf, signatureAt, uploadForm } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'
import { multipartHead, streamOversizedPart } from '../helpers/oversized-upload.js'
import { documentTokenOf, registerTokenOf } from '../helpers/privy-tokens.js'
import { internalLeaks } from '../helpers/response-hygiene.js'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js'

/**
 * The access matrix (OWASP API1/API2/API4, anchors C8 and D3). It walks every path and method of the
 * gateway's own OpenAPI document and calls each one
 *   (a) with no credentials: 401 problem+json, except the public routes (health) and Privy's callback
 *       (401 when unsigned);
 *   (b) as user B, with the ids of user A's real resources in the path and body: 404 (or the route's
 *       documented refusal), and never one of A's ids, reference numbers, tokens, contact details;
 *   (c) on operator-only routes as user A, the owner of everything in them: 404;
 *   (d) with a valid token in the query string instead of the header: 401;
 *   (e) with a body one byte over the route's limit (POST/PATCH): 413 problem+json.
 * A route without a case here fails the walk, so a new route cannot be forgotten. Every answer is
 * also checked for internals: a stack trace, a server path, a Prisma/pg/undici message.
 */

const MiB = 1024 * 1024
const DOCUMENT_MAX_BYTES = 2 * MiB
const IMAGE_LIMITS = { ktpMaxBytes: 2 * MiB, selfieMaxBytes: 4 * MiB }
const OPERATOR = { apiKey: TEST_API_KEY }

let receiver: WebhookReceiver
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read as plain JSON
let openapi: any

/** User A and everything A owns; operator resources made for the walk. */
const a = {
  sub: `matrix-owner-${randomUUID()}`,
  token: '',
  email: `qowner.${randomUUID().slice(0, 8)}@example.co.id`,
  phone: '6281977700717',
  nik: '',
  dob: '1984-03-12',
  registrationId: '',
  referenceNumber: '',
  privyId: '',
  registerToken: '',
  maskedEmail: '',
  maskedPhone: '',
  registrationUrl: '',
  pendingRegistrationId: '',
  pendingReferenceNumber: '',
  pendingRegisterToken: '',
  otpId: '',
  documentId: '',
  documentReference: '',
  templateId: '',
  documentToken: '',
  signingUrl: '',
  sha256: '',
}
const ops = { webhookEndpointId: '', webhookSecret: '', deliveryId: '', callbackId: '' }
const b = { sub: `matrix-other-${randomUUID()}`, token: '' }

beforeAll(async () => {
  receiver = await startWebhookReceiver(() => 204)
})
// Registered first, so it runs last: after the gateway that delivers to it closed.
afterAll(async () => {
  await receiver?.close()
})
const gateway = useGateway(async () => ({
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  DOCUMENT_MAX_BYTES: String(DOCUMENT_MAX_BYTES),
  REGISTRATION_KTP_MAX_BYTES: String(IMAGE_LIMITS.ktpMaxBytes),
  REGISTRATION_SELFIE_MAX_BYTES: String(IMAGE_LIMITS.selfieMaxBytes),
}))
beforeAll(async () => {
  a.token = await gateway.userToken(a.sub)
  b.token = await gateway.userToken(b.sub)

  // The operator's webhook endpoint first, so A's events are delivered to it.
  const endpoint = await gateway.call('POST', '/v1/webhook-endpoints', {
    ...OPERATOR,
    body: { url: `${receiver.url}/hooks/privy`, description: 'matrix' },
  })
  expect(endpoint.status, endpoint.text).toBe(201)
  ops.webhookEndpointId = endpoint.json.id
  ops.webhookSecret = endpoint.json.secret

  // A: a verified registration (A is also the signer of A's document) ...
  a.nik = nikFor(a.dob)
  const created = await gateway.call('POST', '/v1/registrations', {
    token: a.token,
    body: await fullRegistrationJson({
      phone_verified: true,
      nik: a.nik,
      dob: a.dob,
      email: a.email,
      phone: a.phone,
    }),
  })
  expect(created.status, created.text).toBe(201)
  await gateway.sim('POST', `/__sim/registrations/${created.json.reference_number}/verify`, {
    outcome: 'verified',
  })
  const verified = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, {
    token: a.token,
  })
  expect(verified.json.status).toBe('verified')
  Object.assign(a, {
    registrationId: verified.json.id,
    referenceNumber: verified.json.reference_number,
    privyId: verified.json.privy_id,
    maskedEmail: verified.json.email,
    maskedPhone: verified.json.phone,
    registrationUrl: verified.json.registration_url ?? '',
  })

  // ... a second one waiting for its OTP, with the OTP transaction ...
  const pendingDob = '1986-07-21'
  const pending = await gateway.call('POST', '/v1/registrations', {
    token: a.token,
    body: await fullRegistrationJson({
      nik: nikFor(pendingDob),
      dob: pendingDob,
      email: `qpending.${randomUUID().slice(0, 8)}@example.co.id`,
      phone: '6281977700828',
    }),
  })
  expect(pending.status, pending.text).toBe(201)
  expect(pending.json.status).toBe('waiting_otp')
  a.pendingRegistrationId = pending.json.id
  a.pendingReferenceNumber = pending.json.reference_number
  const otp = await gateway.call('POST', '/v1/otp', {
    token: a.token,
    body: { otp_type: 'registration', otp_channel: 'sms', registration_id: a.pendingRegistrationId },
  })
  expect(otp.status, otp.text).toBe(201)
  a.otpId = otp.json.id

  // ... and a document A uploaded and signs.
  const document = await gateway.call('POST', '/v1/documents', {
    token: a.token,
    form: uploadForm(await a4Pdf(), {
      title: 'Matrix agreement of A',
      sign_process: 'parallel',
      signers: [{ registration_id: a.registrationId, placements: [signatureAt(1, 50, 700)] }],
    }),
  })
  expect(document.status, document.text).toBe(201)
  Object.assign(a, {
    documentId: document.json.id,
    documentReference: document.json.reference_number,
    signingUrl: document.json.signing_url ?? '',
    sha256: document.json.sha256,
  })

  // ... and a template A stored.
  const template = await gateway.call('POST', '/v1/templates', {
    token: a.token,
    form: uploadForm(await a4Pdf(), templateOfA()),
  })
  expect(template.status, template.text).toBe(201)
  a.templateId = template.json.id

  // The tokens Privy gave the gateway for A's things: never shown to anyone, A included.
  a.registerToken = (await registerTokenOf(gateway, a.registrationId)) ?? ''
  a.pendingRegisterToken = (await registerTokenOf(gateway, a.pendingRegistrationId)) ?? ''
  a.documentToken = (await documentTokenOf(gateway, a.documentId)) ?? ''

  // A stored Privy callback about A's registration (operator resource).
  expect(
    (
      await deliverCallback({
        event: 'register',
        data: { reference_number: a.referenceNumber, status: 'verified' },
      })
    ).status,
  ).toBe(200)
  ops.callbackId = (
    await gateway.database.prisma.privyCallback.findFirstOrThrow({
      where: { referenceNumber: a.referenceNumber },
      orderBy: { receivedAt: 'desc' },
    })
  ).id

  // A delivery of one of A's events to the operator's endpoint.
  const deliveries = await eventually('a webhook delivery', async () => {
    const listed = await gateway.call(
      'GET',
      `/v1/webhook-deliveries?endpoint_id=${ops.webhookEndpointId}`,
      OPERATOR,
    )
    return listed.json?.data?.length > 0 ? listed.json.data : undefined
  })
  ops.deliveryId = deliveries[0].id

  openapi = (await gateway.call('GET', '/openapi.json')).json
}, 120_000)

async function deliverCallback(body: unknown, signed = true) {
  const raw = Buffer.from(JSON.stringify(body))
  const timestamp = privyTimestamp(new Date())
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (signed) {
    headers.timestamp = timestamp
    headers.signature = signatureOfBytes(
      { apiKey: DEV_CREDENTIALS.apiKey, apiSecret: DEV_CREDENTIALS.apiSecret },
      timestamp,
      raw,
    )
  }
  return gateway.call('POST', '/v1/privy/callbacks', { rawBody: raw, headers })
}

// --- the cases -------------------------------------------------------------------------------------

interface Call {
  path: string
  body?: unknown
  form?: () => Promise<FormData>
  headers?: Record<string, string>
}

interface RouteCase {
  /** `user`: a bearer token or an API key; `operator`: X-API-Key only; `signature`: Privy's. */
  access: 'public' | 'user' | 'operator' | 'signature'
  /** The call, with A's resources in the path and body. */
  call: () => Call | Promise<Call>
  /** What user B may get. Whatever it is, it carries nothing of A. */
  asB: number[]
  /** Other calls B makes on this route (query variants, other bodies). */
  moreAsB?: () => Call[]
  /** What A, the owner, gets on the same call: proof that the ids are real. Read-only routes only. */
  asA?: number[]
  /** POST/PATCH: the body limit in bytes (a JSON body one byte over answers 413), or the multipart case. */
  limit?: number | 'multipart'
  /** Who passes authentication for the limit check. */
  limitAs?: 'a' | 'operator' | 'nobody'
}

const ONE_MIB = MiB
const WEBHOOK_LIMIT = 16 * 1024
const CALLBACK_LIMIT = CALLBACK_BODY_LIMIT

function templateOfA() {
  return {
    name: 'Matrix template of A',
    roles: [{ name: 'borrower', placements: [signatureAt(1, 50, 700)] }],
  }
}

async function bRegistrationBody() {
  // B registers a person with A's NIK and date of birth: B gets B's own answer, never A's registration.
  return fullRegistrationJson({
    phone_verified: true,
    nik: a.nik,
    dob: a.dob,
    email: `zother.${randomUUID().slice(0, 8)}@example.co.id`,
    phone: '6285600000929',
  })
}

const ROUTES: Record<string, RouteCase> = {
  'GET /health/live': { access: 'public', call: () => ({ path: '/health/live' }), asB: [200] },
  'GET /health/ready': { access: 'public', call: () => ({ path: '/health/ready' }), asB: [200] },

  'POST /v1/registrations': {
    access: 'user',
    call: async () => ({ path: '/v1/registrations', body: await bRegistrationBody() }),
    asB: [201, 409, 422],
    limit: registrationJsonBodyLimit(IMAGE_LIMITS),
  },
  'POST /v1/registrations/lookup': {
    access: 'operator',
    // The NIK of A's registrations: to anyone but an operator, the route does not exist.
    call: () => ({ path: '/v1/registrations/lookup', body: { nik: a.nik } }),
    asB: [404],
    limit: ONE_MIB,
    limitAs: 'operator',
  },
  'GET /v1/registrations': {
    access: 'user',
    call: () => ({ path: '/v1/registrations?limit=100' }),
    moreAsB: () => [
      { path: `/v1/registrations?reference_number=${a.referenceNumber}` },
      { path: '/v1/registrations?status=verified&registration_type=privy_ra' },
    ],
    asB: [200],
    asA: [200],
  },
  'GET /v1/registrations/{id}': {
    access: 'user',
    call: () => ({ path: `/v1/registrations/${a.registrationId}` }),
    moreAsB: () => [
      { path: `/v1/registrations/${a.registrationId}?refresh=true` },
      { path: `/v1/registrations/${a.pendingRegistrationId}` },
    ],
    asB: [404],
    asA: [200],
  },
  'POST /v1/registrations/{id}/resend': {
    access: 'user',
    call: () => ({ path: `/v1/registrations/${a.registrationId}/resend`, body: { name: 'Someone Else' } }),
    moreAsB: () => [
      { path: `/v1/registrations/${a.pendingRegistrationId}/resend`, body: { name: 'Someone Else' } },
    ],
    asB: [404],
    limit: registrationJsonBodyLimit(IMAGE_LIMITS),
  },

  'POST /v1/documents': {
    access: 'user',
    // B names A's registration as a signer by id: only its owner may.
    call: () => ({
      path: '/v1/documents',
      form: async () =>
        uploadForm(await a4Pdf(), {
          title: 'B names A',
          sign_process: 'parallel',
          signers: [{ registration_id: a.registrationId, placements: [signatureAt(1, 50, 700)] }],
        }),
    }),
    asB: [404, 422],
    limit: 'multipart',
  },
  'POST /v1/templates': {
    access: 'user',
    // B stores a template of its own: B's, never a view of A's.
    call: () => ({ path: '/v1/templates', form: async () => uploadForm(await a4Pdf(), templateOfA()) }),
    asB: [201],
    limit: 'multipart',
  },
  'GET /v1/templates': {
    access: 'user',
    call: () => ({ path: '/v1/templates?limit=100' }),
    asB: [200],
    asA: [200],
  },
  'GET /v1/templates/{id}': {
    access: 'user',
    call: () => ({ path: `/v1/templates/${a.templateId}` }),
    asB: [404],
    asA: [200],
  },
  'GET /v1/templates/{id}/pdf': {
    access: 'user',
    call: () => ({ path: `/v1/templates/${a.templateId}/pdf` }),
    asB: [404],
    asA: [200],
  },
  'PUT /v1/templates/{id}': {
    access: 'user',
    call: () => ({
      path: `/v1/templates/${a.templateId}`,
      form: async () => uploadForm(await a4Pdf(), templateOfA()),
    }),
    asB: [404],
    limit: 'multipart',
  },
  'DELETE /v1/templates/{id}': {
    access: 'user',
    call: () => ({ path: `/v1/templates/${a.templateId}` }),
    asB: [404],
  },
  'GET /v1/documents': {
    access: 'user',
    call: () => ({ path: '/v1/documents?limit=100' }),
    // The filters and the signer's view: B still sees nothing of A's.
    moreAsB: () => [
      { path: `/v1/documents?reference_number=${a.documentReference}` },
      { path: '/v1/documents?awaiting=me' },
      { path: '/v1/documents?status=uploaded&limit=100' },
    ],
    asB: [200],
    asA: [200],
  },
  'GET /v1/events': {
    access: 'user',
    // A's registrations and documents made events: B reads none of them, in either order or by type.
    call: () => ({ path: '/v1/events?limit=100' }),
    moreAsB: () => [
      { path: '/v1/events?order=oldest_first&limit=100' },
      { path: '/v1/events?type=registration.updated&limit=100' },
      { path: '/v1/events?type=document.updated&limit=100' },
    ],
    asB: [200],
    asA: [200],
  },
  'GET /v1/documents/{id}': {
    access: 'user',
    call: () => ({ path: `/v1/documents/${a.documentId}` }),
    moreAsB: () => [{ path: `/v1/documents/${a.documentId}?refresh=true` }],
    asB: [404],
    asA: [200],
  },
  'GET /v1/documents/{id}/history': {
    access: 'user',
    call: () => ({ path: `/v1/documents/${a.documentId}/history` }),
    asB: [404],
    asA: [200],
  },
  'POST /v1/documents/{id}/revoke': {
    access: 'user',
    call: () => ({ path: `/v1/documents/${a.documentId}/revoke` }),
    asB: [404],
    limit: ONE_MIB,
  },
  'GET /v1/documents/{id}/signed.pdf': {
    access: 'user',
    call: () => ({ path: `/v1/documents/${a.documentId}/signed.pdf` }),
    asB: [404],
    // Not completed yet: A is told so; B is not even told it exists.
    asA: [409],
  },

  'POST /v1/privy/callbacks': {
    access: 'signature',
    // Unsigned, it must not move A's registration (or anything).
    call: () => ({
      path: '/v1/privy/callbacks',
      body: { event: 'register', data: { reference_number: a.pendingReferenceNumber, status: 'rejected' } },
    }),
    asB: [401],
    limit: CALLBACK_LIMIT,
    limitAs: 'nobody',
  },
  'GET /v1/privy/callbacks': {
    access: 'operator',
    call: () => ({ path: `/v1/privy/callbacks?reference_number=${a.referenceNumber}` }),
    asB: [404],
  },
  'POST /v1/privy/callbacks/{id}/reapply': {
    access: 'operator',
    call: () => ({ path: `/v1/privy/callbacks/${ops.callbackId}/reapply` }),
    asB: [404],
    limit: ONE_MIB,
    limitAs: 'operator',
  },

  'POST /v1/otp': {
    access: 'user',
    call: () => ({
      path: '/v1/otp',
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: a.pendingRegistrationId },
    }),
    moreAsB: () => [
      {
        path: '/v1/otp',
        body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [a.documentId] },
      },
    ],
    asB: [404],
    limit: ONE_MIB,
  },
  'POST /v1/otp/{id}/validate': {
    access: 'user',
    call: () => ({ path: `/v1/otp/${a.otpId}/validate`, body: { otp_code: '123456' } }),
    asB: [404],
    limit: ONE_MIB,
  },
  'POST /v1/otp/{id}/resend': {
    access: 'user',
    call: () => ({ path: `/v1/otp/${a.otpId}/resend` }),
    asB: [404],
    limit: ONE_MIB,
  },

  'POST /v1/webhook-endpoints': {
    access: 'operator',
    call: () => ({ path: '/v1/webhook-endpoints', body: { url: 'https://attacker.example/hooks' } }),
    asB: [404],
    limit: WEBHOOK_LIMIT,
    limitAs: 'operator',
  },
  'GET /v1/webhook-endpoints': {
    access: 'operator',
    call: () => ({ path: '/v1/webhook-endpoints' }),
    asB: [404],
  },
  'GET /v1/webhook-endpoints/{id}': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-endpoints/${ops.webhookEndpointId}` }),
    asB: [404],
  },
  'PATCH /v1/webhook-endpoints/{id}': {
    access: 'operator',
    call: () => ({
      path: `/v1/webhook-endpoints/${ops.webhookEndpointId}`,
      body: { url: 'https://attacker.example/hooks' },
    }),
    asB: [404],
    limit: WEBHOOK_LIMIT,
    limitAs: 'operator',
  },
  'DELETE /v1/webhook-endpoints/{id}': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-endpoints/${ops.webhookEndpointId}` }),
    asB: [404],
  },
  'POST /v1/webhook-endpoints/{id}/rotate-secret': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-endpoints/${ops.webhookEndpointId}/rotate-secret`, body: {} }),
    asB: [404],
    limit: WEBHOOK_LIMIT,
    limitAs: 'operator',
  },
  'GET /v1/webhook-deliveries': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-deliveries?endpoint_id=${ops.webhookEndpointId}` }),
    asB: [404],
  },
  'GET /v1/webhook-deliveries/{id}': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-deliveries/${ops.deliveryId}` }),
    asB: [404],
  },
  'POST /v1/webhook-deliveries/{id}/replay': {
    access: 'operator',
    call: () => ({ path: `/v1/webhook-deliveries/${ops.deliveryId}/replay` }),
    asB: [404],
    limit: WEBHOOK_LIMIT,
    limitAs: 'operator',
  },
}

// --- helpers ---------------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace']

/** `METHOD /path` of every operation in the gateway's OpenAPI document. */
function documentedRoutes(): string[] {
  const routes: string[] = []
  for (const [path, item] of Object.entries(openapi.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(item)) {
      if (METHODS.includes(method)) routes.push(`${method.toUpperCase()} ${path}`)
    }
  }
  return routes.sort()
}

const methodOf = (route: string) => route.split(' ')[0] ?? 'GET'

async function send(
  route: string,
  call: Call,
  auth: { token?: string; apiKey?: string } = {},
): Promise<CallResult> {
  return gateway.call(methodOf(route), call.path, {
    ...auth,
    ...(call.body !== undefined ? { body: call.body } : {}),
    ...(call.form ? { form: await call.form() } : {}),
    headers: call.headers,
  })
}

/** Every value of A's (and the operator's) that B must never see, except what B itself sent. */
function secretsOfA(): string[] {
  return [
    a.sub,
    a.email,
    a.phone,
    a.nik,
    a.dob,
    a.registrationId,
    a.referenceNumber,
    a.privyId,
    a.registerToken,
    a.maskedEmail,
    a.maskedPhone,
    a.registrationUrl,
    a.pendingRegistrationId,
    a.pendingReferenceNumber,
    a.pendingRegisterToken,
    a.otpId,
    a.documentId,
    a.documentReference,
    a.templateId,
    a.documentToken,
    a.signingUrl,
    a.sha256,
    'Matrix agreement of A',
    ops.webhookEndpointId,
    ops.webhookSecret,
    ops.deliveryId,
    ops.callbackId,
    receiver.url,
  ].filter((value) => value.length >= 6)
}

function expectNothingOfA(answer: CallResult, sent: Call, context: string) {
  const echoed = `${sent.path} ${JSON.stringify(sent.body ?? '')}`
  const text = `${answer.text}\n${JSON.stringify(answer.headers)}`
  const leaked = secretsOfA().filter((value) => !echoed.includes(value) && text.includes(value))
  expect(leaked, `${context} answered ${answer.status} with A's data: ${answer.text.slice(0, 500)}`).toEqual(
    [],
  )
}

function expectClean(answer: CallResult, context: string) {
  expect(internalLeaks(answer.text), `${context}: ${answer.text.slice(0, 500)}`).toEqual([])
  for (const secret of gateway.secrets) expect(answer.text, context).not.toContain(secret)
}

function expectProblem(answer: CallResult, status: number, context: string) {
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBe(status)
  expect(answer.headers['content-type'], context).toContain('application/problem+json')
  expect(answer.json, context).toMatchObject({
    status,
    code: expect.any(String),
    request_id: expect.any(String),
  })
}

// --- the walk ---------------------------------------------------------------------------------------

describe('the access matrix', () => {
  it('has a case for every route of the OpenAPI document, and none for a route that is gone', () => {
    const documented = documentedRoutes()
    expect(documented.length).toBeGreaterThan(20)
    expect(
      documented.filter((route) => !(route in ROUTES)),
      'routes without a case',
    ).toEqual([])
    expect(
      Object.keys(ROUTES).filter((route) => !documented.includes(route)),
      'cases for routes the document does not have',
    ).toEqual([])
  })

  it('(a) answers every non-public route 401 problem+json without credentials', async () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      const call = await spec.call()
      const answer = await send(route, call)
      expectClean(answer, `${route} without credentials`)
      if (spec.access === 'public') {
        expect(answer.status, route).toBe(200)
        continue
      }
      expectProblem(answer, 401, `${route} without credentials`)
      expect(answer.json.code, route).toBe('UNAUTHENTICATED')
      expectNothingOfA(answer, call, `${route} without credentials`)
    }
  })

  it('(b) answers user B 404 (or its documented refusal) on A\u2019s resources, with nothing of A', async () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      for (const call of [await spec.call(), ...(spec.moreAsB?.() ?? [])]) {
        const context = `${route} as B (${call.path})`
        const answer = await send(route, call, { token: b.token })
        if (process.env.MATRIX_DEBUG)
          console.log(
            `B ${context} → ${answer.status} ${answer.json?.code ?? ''} ${answer.json?.detail ?? ''}`,
          )
        expectClean(answer, context)
        expect(spec.asB, `${context}: ${answer.text.slice(0, 300)}`).toContain(answer.status)
        if (answer.status >= 400) expectProblem(answer, answer.status, context)
        expectNothingOfA(answer, call, context)
      }
    }
  })

  it('(b) tells B nothing a made-up id would not: the same answer for A\u2019s ids and for random ones', async () => {
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
    const normalised = (answer: CallResult) => ({
      status: answer.status,
      body: answer.text.replace(/"request_id":"[^"]*"/, '').replace(uuid, '<id>'),
    })
    let compared = 0
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.access === 'public' || route === 'POST /v1/registrations') continue
      for (const call of [await spec.call(), ...(spec.moreAsB?.() ?? [])]) {
        const owned = `${call.path} ${JSON.stringify(call.body ?? '')}`
        if (!uuid.test(owned)) continue
        uuid.lastIndex = 0
        const madeUp = (text: string) => text.replace(uuid, () => randomUUID())
        const other: Call = {
          ...call,
          path: madeUp(call.path),
          body: call.body === undefined ? undefined : JSON.parse(madeUp(JSON.stringify(call.body))),
        }
        const [real, fake] = [
          await send(route, call, { token: b.token }),
          await send(route, other, { token: b.token }),
        ]
        expect(normalised(real), `${route} as B: A's id and a made-up id answer differently`).toEqual(
          normalised(fake),
        )
        compared += 1
      }
    }
    expect(compared).toBeGreaterThanOrEqual(18)
  })

  it('(b) left A\u2019s resources as they were', async () => {
    const document = await gateway.call('GET', `/v1/documents/${a.documentId}`, { token: a.token })
    expect(document.json.status).not.toBe('revoked')
    const pending = await gateway.call('GET', `/v1/registrations/${a.pendingRegistrationId}`, {
      token: a.token,
    })
    expect(pending.json.status).toBe('waiting_otp')
    const otp = await gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: a.otpId } })
    expect(otp.attemptsLeft).toBe(3)
    const endpoint = await gateway.call('GET', `/v1/webhook-endpoints/${ops.webhookEndpointId}`, OPERATOR)
    expect(endpoint.status).toBe(200)
    expect(endpoint.json.url).toBe(`${receiver.url}/hooks/privy`)
  })

  it('answers A, the owner, on the read routes: the ids in the walk are real', async () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (!spec.asA) continue
      const answer = await send(route, await spec.call(), { token: a.token })
      expectClean(answer, `${route} as A`)
      expect(spec.asA, `${route} as A: ${answer.text.slice(0, 300)}`).toContain(answer.status)
    }
    const listed = await gateway.call('GET', '/v1/registrations?limit=100', { token: a.token })
    expect(listed.json.data.map((registration: { id: string }) => registration.id)).toContain(
      a.registrationId,
    )
  })

  it('(c) answers user A 404 on every operator-only route, though A owns what they hold', async () => {
    const operatorRoutes = Object.entries(ROUTES).filter(([, spec]) => spec.access === 'operator')
    expect(operatorRoutes.length).toBeGreaterThanOrEqual(10)
    for (const [route, spec] of operatorRoutes) {
      const call = await spec.call()
      const answer = await send(route, call, { token: a.token })
      expectClean(answer, `${route} as A`)
      expectProblem(answer, 404, `${route} as A`)
    }
  })

  it('(c) answers a user 404 on operator-only routes before looking at the body', async () => {
    const schemaShown: string[] = []
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.access !== 'operator' || !['POST', 'PATCH'].includes(methodOf(route))) continue
      const call = await spec.call()
      const answer = await send(
        route,
        { ...call, body: { not: ['what', 'the', 'route', 'takes'] } },
        { token: a.token },
      )
      expectClean(answer, `${route} as A with a wrong body`)
      if (answer.status !== 404) schemaShown.push(route)
    }
    expect(schemaShown).toEqual([])
  })

  it('(d) never takes a token from the query string', async () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.access === 'public') continue
      const call = await spec.call()
      for (const parameter of ['access_token', 'token', 'jwt', 'api_key']) {
        const credential = parameter === 'api_key' ? TEST_API_KEY : a.token
        const separator = call.path.includes('?') ? '&' : '?'
        const path = `${call.path}${separator}${parameter}=${encodeURIComponent(credential)}`
        const answer = await send(route, { ...call, path })
        expectClean(answer, `${route} with ?${parameter}`)
        expectProblem(answer, 401, `${route} with ?${parameter}`)
      }
    }
  })

  it('(e) refuses a body one byte over each route\u2019s limit: 413 problem+json', async () => {
    const bodyRoutes = Object.entries(ROUTES).filter(([route]) =>
      ['POST', 'PATCH', 'PUT'].includes(methodOf(route)),
    )
    for (const [route, spec] of bodyRoutes) {
      expect(spec.limit, `${route} has no body limit case`).toBeDefined()
      if (spec.limit === 'multipart' || spec.limit === undefined) continue
      // Every JSON route stays at the app's 1 MiB unless it declares why it needs more.
      if (spec.limit > ONE_MIB) expect(route).toMatch(/^POST \/v1\/registrations/)
      const call = await spec.call()
      const auth =
        spec.limitAs === 'operator' ? OPERATOR : spec.limitAs === 'nobody' ? {} : { token: a.token }
      const padding = spec.limit + 1 - '{"pad":""}'.length
      const answer = await gateway.call(methodOf(route), call.path, {
        ...auth,
        rawBody: `{"pad":"${'x'.repeat(padding)}"}`,
        headers: { 'content-type': 'application/json' },
      })
      expectClean(answer, `${route} with ${spec.limit + 1} bytes`)
      expectProblem(answer, 413, `${route} with ${spec.limit + 1} bytes`)
      expect(answer.json.code).toBe('PAYLOAD_TOO_LARGE')
    }
  })

  it('(e) refuses a multipart file part over its limit, for each multipart route: 413 problem+json', async () => {
    const cases: Array<{
      route: string
      fields: Record<string, string>
      file: { name: string; filename: string; contentType: string; prefix?: string }
      limit: number
      path: string
      method?: string
    }> = [
      {
        route: 'POST /v1/documents',
        fields: {
          metadata: JSON.stringify({
            title: 'too large',
            signers: [{ registration_id: a.registrationId, placements: [signatureAt(1, 50, 700)] }],
          }),
        },
        file: { name: 'file', filename: 'big.pdf', contentType: 'application/pdf', prefix: '%PDF-1.7\n' },
        limit: DOCUMENT_MAX_BYTES,
        path: '/v1/documents',
      },
      {
        route: 'POST /v1/templates',
        fields: { metadata: JSON.stringify(templateOfA()) },
        file: { name: 'file', filename: 'big.pdf', contentType: 'application/pdf', prefix: '%PDF-1.7\n' },
        limit: DOCUMENT_MAX_BYTES,
        path: '/v1/templates',
      },
      {
        route: 'PUT /v1/templates/{id}',
        fields: {},
        file: { name: 'file', filename: 'big.pdf', contentType: 'application/pdf', prefix: '%PDF-1.7\n' },
        limit: DOCUMENT_MAX_BYTES,
        path: `/v1/templates/${a.templateId}`,
        method: 'PUT',
      },
      {
        route: 'POST /v1/registrations',
        fields: {
          registration_type: 'privy_ra',
          name: 'Too Large',
          email: 'big@example.co.id',
          phone: '6281200000001',
        },
        file: { name: 'ktp', filename: 'ktp.jpg', contentType: 'image/jpeg' },
        limit: IMAGE_LIMITS.ktpMaxBytes,
        path: '/v1/registrations',
      },
      {
        route: 'POST /v1/registrations/{id}/resend',
        fields: { name: 'Too Large' },
        file: { name: 'selfie', filename: 'selfie.jpg', contentType: 'image/jpeg' },
        limit: IMAGE_LIMITS.selfieMaxBytes,
        path: `/v1/registrations/${a.registrationId}/resend`,
      },
    ]
    const multipartRoutes = Object.entries(ROUTES)
      .filter(([route]) => {
        const [method = '', path = ''] = route.split(' ')
        return Object.keys(openapi.paths[path]?.[method.toLowerCase()]?.requestBody?.content ?? {}).includes(
          'multipart/form-data',
        )
      })
      .map(([route]) => route)
    expect(cases.map((entry) => entry.route).sort()).toEqual(multipartRoutes.sort())
    for (const entry of cases) {
      const boundary = `----matrix${randomUUID().replaceAll('-', '')}`
      const answer = await streamOversizedPart(`${gateway.url}${entry.path}`, {
        head: multipartHead(boundary, entry.fields, entry.file),
        boundary,
        total: entry.limit + 256 * 1024,
        ...(entry.method ? { method: entry.method } : {}),
        headers: { authorization: `Bearer ${a.token}` },
      })
      expect(answer.status, `${entry.route}: ${answer.body.slice(0, 300)}`).toBe(413)
      expect(JSON.parse(answer.body).code).toBe('PAYLOAD_TOO_LARGE')
      expect(internalLeaks(answer.body)).toEqual([])
    }
  })

  it('keeps the routes outside the document public and harmless: docs, the document, unknown routes', async () => {
    for (const path of ['/docs', '/docs/', '/docs/json', '/openapi.json']) {
      const answer = await gateway.call('GET', path)
      expect(answer.status, path).toBe(200)
      expectClean(answer, path)
      expectNothingOfA(answer, { path }, path)
    }
    for (const [method, path] of [
      ['GET', `/v1/registrations/${a.registrationId}/nothing`],
      ['PUT', `/v1/registrations/${a.registrationId}`],
      ['DELETE', `/v1/documents/${a.documentId}`],
      ['GET', '/v1/admin'],
    ] as const) {
      const answer = await gateway.call(method, path, { token: b.token })
      expectClean(answer, `${method} ${path}`)
      expect([404, 405], `${method} ${path}`).toContain(answer.status)
      expect(answer.headers['content-type']).toContain('application/problem+json')
    }
  })

  it('answers malformed ids, bodies and queries as problems without internals', async () => {
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.access === 'public' || spec.access === 'signature') continue
      const call = await spec.call()
      const auth = spec.access === 'operator' ? OPERATOR : { token: a.token }
      const method = methodOf(route)
      const variants: Array<{ path: string; rawBody?: string; headers?: Record<string, string> }> = []
      // Nothing below reaches a handler: each is refused by validation or parsing first.
      if (uuid.test(call.path)) {
        for (const id of ["1' OR '1'='1", '..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(300)]) {
          variants.push({ path: call.path.replace(uuid, id) })
        }
      }
      if ((method === 'POST' || method === 'PATCH') && spec.limit !== 'multipart') {
        variants.push({ path: call.path, rawBody: '{"a":', headers: { 'content-type': 'application/json' } })
        variants.push({
          path: call.path,
          rawBody: '{"__proto__":{"x":1}}',
          headers: { 'content-type': 'application/json' },
        })
      }
      if (method === 'GET' && !uuid.test(call.path)) {
        const separator = call.path.includes('?') ? '&' : '?'
        variants.push({ path: `${call.path}${separator}limit=-1&cursor=%FF%FE` })
      }
      for (const variant of variants) {
        const answer = await gateway.call(method, variant.path, { ...auth, ...variant })
        const context = `${route} ${variant.path.slice(0, 120)} ${variant.rawBody ?? ''}`
        expectClean(answer, context)
        expect(answer.status, `${context}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
        expect(answer.status, `${context}: ${answer.text.slice(0, 200)}`).toBeLessThan(500)
        expect(answer.headers['content-type'], `${context}: ${answer.text.slice(0, 200)}`).toContain(
          'application/problem+json',
        )
      }
    }
  })
})
