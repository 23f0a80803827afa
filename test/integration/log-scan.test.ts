import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { FormData } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { PrivyUnprocessableEntityError } from '../../src/privy/errors.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { a4Pdf, downloadSignedPdf, signatureAt, stampAt, uploadForm } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { type CallOptions, type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import { nikFor, photo } from '../helpers/identity.js'
import { allDocumentTokens, allRegisterTokens } from '../helpers/privy-tokens.js'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js'

/**
 * One gateway at LOG_LEVEL=debug runs every flow end to end — registrations of all three types (JSON
 * and multipart, OTP wrong then right), soft and hard rejects, documents with two signers and an
 * e-Meterai, webhooks, idempotent retries, upstream faults, bad input, an operator lookup — with the
 * simulator's callbacks on. Every value that must never be logged is collected on the way, then every
 * captured log line is scanned for them and for the shapes of such values: zero hits.
 */

const REGISTER_PATH = '/web/api/v2/register'
const UPLOAD_PATH = '/web/api/v2/doc-signing'
const operator = { apiKey: TEST_API_KEY }

let receiver: WebhookReceiver
let endpointId = ''

/** Values matched anywhere in the logs. */
const secrets = new Set<string>()
/** Digit strings (dates, phones, OTP codes) matched only as a whole run of digits. */
const digitSecrets = new Set<string>()
/** The X-Request-ID of every gateway call: the logs must name them, or an empty log would pass. */
const requestIds: string[] = []

function keep(...values: Array<string | undefined | null>) {
  for (const value of values) if (value) secrets.add(value)
}

function keepDigits(...values: string[]) {
  for (const value of values) digitSecrets.add(value)
}

/** Every form of a date of birth a log line could carry. */
function keepDob(dob: string) {
  const [year = '', month = '', day = ''] = dob.split('-')
  keep(dob, `${day}-${month}-${year}`, `${day}/${month}/${year}`)
  keepDigits(`${day}${month}${year.slice(2)}`, `${year}${month}${day}`, `${day}${month}${year}`)
}

/** A phone in its 62…, +62… and 0… forms. */
function keepPhone(phone: string) {
  keep(`+${phone}`)
  keepDigits(phone, `0${phone.slice(2)}`)
}

/** Base64 of an image or a PDF, whole and as 40-character slices taken through it. */
function keepBase64(bytes: Buffer) {
  const base64 = bytes.toString('base64')
  keep(base64)
  for (const at of [0, 100, Math.floor(base64.length / 2), base64.length - 41])
    keep(base64.slice(at, at + 40))
}

async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const response = await gateway.call(method, path, options)
  const id = response.headers['x-request-id']
  if (typeof id === 'string') requestIds.push(id)
  return response
}

async function userToken(sub: string): Promise<string> {
  const token = await gateway.userToken(sub)
  keep(token)
  return token
}

let people = 0

interface Person {
  name: string
  email: string
  phone: string
  nik: string
  dob: string
}

/** A person of their own (distinct email, phone, NIK, dob), every identity value kept as a secret. */
function person(options: { nikEnding?: string; female?: boolean } = {}): Person {
  people += 1
  // A valid date for any number of people: years 1960-1999, days 10-27.
  const year = 1960 + (people % 40)
  const dob = `${year}-${String(1 + (people % 12)).padStart(2, '0')}-${String(10 + (people % 18)).padStart(2, '0')}`
  const phone = `62813${String(40_000_000 + people * 7_919).padStart(8, '0')}`
  const nik = nikFor(dob, {
    female: options.female ?? people % 2 === 0,
    ...(options.nikEnding ? { ending: options.nikEnding } : {}),
  })
  const value: Person = {
    name: `Logscan Orang${String.fromCharCode(65 + people)}`,
    email: `logscan.person${people}@example.co.id`,
    phone,
    nik,
    dob,
  }
  keep(value.name, value.email, nik)
  keepDigits(nik)
  keepDob(dob)
  keepPhone(phone)
  return value
}

async function images(seed: number) {
  const [ktp, selfie] = await Promise.all([photo('jpeg', 640, 480, seed), photo('png', 480, 640, seed + 1)])
  keepBase64(ktp)
  keepBase64(selfie)
  return { ktp, selfie }
}

async function identityJson(who: Person, seed: number, extra: Record<string, unknown> = {}) {
  const { ktp, selfie } = await images(seed)
  return {
    registration_type: 'privy_ra',
    name: who.name,
    email: who.email,
    phone: who.phone,
    nik: who.nik,
    dob: who.dob,
    ktp: ktp.toString('base64'),
    selfie: `data:image/png;base64,${selfie.toString('base64')}`,
    phone_verified: false,
    ...extra,
  }
}

async function refreshed(id: string, token: string) {
  const response = await call('GET', `/v1/registrations/${id}?refresh=true`, { token })
  expect(response.status, response.text).toBe(200)
  return response.json
}

async function verify(referenceNumber: string, outcome?: string) {
  const response = await gateway.sim(
    'POST',
    `/__sim/registrations/${referenceNumber}/verify`,
    outcome ? { outcome } : {},
  )
  expect(response.status, response.text).toBe(200)
}

async function latestRegistrationCode(referenceNumber: string): Promise<string> {
  const otps = await gateway.sim('GET', `/__sim/otps?reference_number=${referenceNumber}`)
  const code: string = otps.json.otps.at(-1).code
  expect(code).toMatch(/^\d{6}$/)
  return code
}

const wrongCodeFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

/** Sends a registration OTP, tries a wrong code, then the right one. */
async function registrationOtp(registrationId: string, referenceNumber: string, token: string) {
  const otp = await call('POST', '/v1/otp', {
    token,
    body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registrationId },
  })
  expect(otp.status, otp.text).toBe(201)
  const code = await latestRegistrationCode(referenceNumber)
  const wrong = wrongCodeFor(code)
  keepDigits(code, wrong)
  const refused = await call('POST', `/v1/otp/${otp.json.id}/validate`, { token, body: { otp_code: wrong } })
  expect(refused.status, refused.text).toBeGreaterThanOrEqual(400)
  const validated = await call('POST', `/v1/otp/${otp.json.id}/validate`, { token, body: { otp_code: code } })
  expect(validated.status, validated.text).toBe(200)
}

interface Signer {
  token: string
  privyId: string
}

/** A verified signer, registered through the gateway as themselves. */
async function verifiedSigner(sub: string, seed: number): Promise<Signer> {
  const token = await userToken(sub)
  const created = await call('POST', '/v1/registrations', {
    token,
    body: await identityJson(person(), seed, { phone_verified: true }),
  })
  expect(created.status, created.text).toBe(201)
  await verify(created.json.reference_number, 'verified')
  const verified = await refreshed(created.json.id, token)
  expect(verified.status).toBe('verified')
  return { token, privyId: verified.privy_id }
}

async function upload(
  token: string,
  metadata: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const pdf = await a4Pdf(2)
  keepBase64(pdf)
  return call('POST', '/v1/documents', {
    token,
    headers,
    form: uploadForm(pdf, { title: 'Log scan', ...metadata }),
  })
}

async function signingOtp(signer: Signer, documentId: string, wrongFirst: boolean) {
  const otp = await call('POST', '/v1/otp', {
    token: signer.token,
    body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [documentId] },
  })
  expect(otp.status, otp.text).toBe(201)
  const listed = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${signer.privyId}`)
  const code: string = listed.json.otps.at(-1).code
  keepDigits(code)
  if (wrongFirst) {
    const wrong = wrongCodeFor(code)
    keepDigits(wrong)
    const refused = await call('POST', `/v1/otp/${otp.json.id}/validate`, {
      token: signer.token,
      body: { otp_code: wrong },
    })
    expect(refused.status, refused.text).toBeGreaterThanOrEqual(400)
  }
  const validated = await call('POST', `/v1/otp/${otp.json.id}/validate`, {
    token: signer.token,
    body: { otp_code: code },
  })
  expect(validated.status, validated.text).toBe(200)
}

async function fault(body: Record<string, unknown>) {
  const response = await gateway.sim('POST', '/__sim/faults', { times: 1, ...body })
  expect(response.status, response.text).toBe(201)
}

const gateway = useGateway(async () => ({
  LOG_LEVEL: 'debug',
  PRIVY_MERCHANT_RA_ENABLED: 'true',
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100',
}))
beforeAll(async () => {
  keep(...gateway.secrets, DEV_CREDENTIALS.apiKey)
  await gateway.enableCallbacks()
  receiver = await startWebhookReceiver(() => 204)
  const endpoint = await call('POST', '/v1/webhook-endpoints', {
    ...operator,
    body: { url: `${receiver.url}/hooks/privy`, description: 'log scan' },
  })
  expect(endpoint.status, endpoint.text).toBe(201)
  endpointId = endpoint.json.id
  keep(endpoint.json.secret, String(endpoint.json.secret).replace(/^whsec_/, ''))
})

afterAll(async () => {
  await receiver?.close()
})

describe('every flow, at LOG_LEVEL=debug', () => {
  it('landing_page: registered, finished on the landing page, verified', async () => {
    const token = await userToken('logscan-landing')
    const who = person()
    const created = await call('POST', '/v1/registrations', {
      token,
      body: { registration_type: 'landing_page', name: who.name, email: who.email, phone: who.phone },
    })
    expect(created.status, created.text).toBe(201)
    const finished = await gateway.sim(
      'POST',
      `/__sim/registrations/${created.json.reference_number}/finish-landing`,
    )
    expect(finished.status, finished.text).toBe(200)
    await verify(created.json.reference_number, 'verified')
    expect((await refreshed(created.json.id, token)).status).toBe('verified')
  })

  it('privy_ra with OTP (request, wrong code, right code), as JSON', async () => {
    const token = await userToken('logscan-json')
    const created = await call('POST', '/v1/registrations', { token, body: await identityJson(person(), 3) })
    expect(created.status, created.text).toBe(201)
    expect(created.json.status).toBe('waiting_otp')
    await registrationOtp(created.json.id, created.json.reference_number, token)
    await verify(created.json.reference_number, 'verified')
    expect((await refreshed(created.json.id, token)).status).toBe('verified')
  })

  it('privy_ra with OTP, as multipart with KTP and selfie files', async () => {
    const token = await userToken('logscan-multipart')
    const who = person()
    const { ktp, selfie } = await images(5)
    const form = new FormData()
    form.set('registration_type', 'privy_ra')
    form.set('name', who.name)
    form.set('email', who.email)
    form.set('phone', who.phone)
    form.set('nik', who.nik)
    form.set('dob', who.dob)
    form.set('ktp', new Blob([ktp], { type: 'image/jpeg' }), 'ktp.jpg')
    form.set('selfie', new Blob([selfie], { type: 'image/png' }), 'selfie.png')
    const created = await call('POST', '/v1/registrations', { token, form })
    expect(created.status, created.text).toBe(201)
    expect(created.json.status).toBe('waiting_otp')
    await registrationOtp(created.json.id, created.json.reference_number, token)
  })

  it('merchant_ra, with and without OTP', async () => {
    const token = await userToken('logscan-merchant')
    const withOtp = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(person(), 7, { registration_type: 'merchant_ra' }),
    })
    expect(withOtp.status, withOtp.text).toBe(201)
    await registrationOtp(withOtp.json.id, withOtp.json.reference_number, token)
    const withoutOtp = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(person(), 9, { registration_type: 'merchant_ra', phone_verified: true }),
    })
    expect(withoutOtp.status, withoutOtp.text).toBe(201)
    await verify(withoutOtp.json.reference_number, 'verified')
    expect((await refreshed(withoutOtp.json.id, token)).status).toBe('verified')
  })

  it('soft reject, resent with a corrected NIK and dob, then verified', async () => {
    const token = await userToken('logscan-soft')
    const created = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(person({ nikEnding: '0001' }), 11, { phone_verified: true }),
    })
    expect(created.status, created.text).toBe(201)
    await verify(created.json.reference_number)
    const rejected = await refreshed(created.json.id, token)
    expect(rejected).toMatchObject({ status: 'rejected', can_resend: true })
    const corrected = person()
    const { ktp } = await images(13)
    const resent = await call('POST', `/v1/registrations/${created.json.id}/resend`, {
      token,
      body: { nik: corrected.nik, dob: corrected.dob, ktp: ktp.toString('base64') },
    })
    expect(resent.status, resent.text).toBe(200)
    await verify(created.json.reference_number)
    expect((await refreshed(created.json.id, token)).status).toBe('verified')
  })

  it('hard reject, and a resend refused', async () => {
    const token = await userToken('logscan-hard')
    const created = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(person({ nikEnding: '0009' }), 15, { phone_verified: true }),
    })
    expect(created.status, created.text).toBe(201)
    await verify(created.json.reference_number)
    expect(await refreshed(created.json.id, token)).toMatchObject({ status: 'rejected', can_resend: false })
    const corrected = person()
    const resent = await call('POST', `/v1/registrations/${created.json.id}/resend`, {
      token,
      body: { nik: corrected.nik, dob: corrected.dob },
    })
    expect(resent.status, resent.text).toBe(409)
  })

  it('documents: two signers and an e-Meterai, signing OTPs, history, signed.pdf, a revoke', async () => {
    const officer = await userToken('logscan-officer')
    const alice = await verifiedSigner('logscan-alice', 17)
    const bob = await verifiedSigner('logscan-bob', 19)
    const serial = await upload(officer, {
      sign_process: 'serial',
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] },
        { privy_id: bob.privyId, placements: [signatureAt(2, 50, 50)] },
      ],
      e_meterai: { category: 'surat_perjanjian', placements: [stampAt(2, 450, 700)] },
    })
    expect(serial.status, serial.text).toBe(201)
    await signingOtp(alice, serial.json.id, true)
    await signingOtp(bob, serial.json.id, false)
    const done = await eventually('the document completed', async () => {
      const shown = await call('GET', `/v1/documents/${serial.json.id}?refresh=true`, { token: officer })
      return shown.json.status === 'completed' ? shown.json : undefined
    })
    expect(done.status).toBe('completed')
    const history = await call('GET', `/v1/documents/${serial.json.id}/history`, { token: officer })
    expect(history.status, history.text).toBe(200)
    const signed = await downloadSignedPdf(gateway, serial.json.id, officer)
    expect(signed.status).toBe(200)
    keepBase64(signed.bytes)

    const other = await upload(officer, {
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 300, 300)] }],
    })
    expect(other.status, other.text).toBe(201)
    const revoked = await call('POST', `/v1/documents/${other.json.id}/revoke`, { token: officer })
    expect(revoked.status, revoked.text).toBe(200)
  })

  it('idempotent retries: the same Idempotency-Key replays, another body under it is refused', async () => {
    const token = await userToken('logscan-idempotent')
    const key = randomUUID()
    const body = await identityJson(person(), 21, { phone_verified: true })
    const first = await call('POST', '/v1/registrations', {
      token,
      body,
      headers: { 'idempotency-key': key },
    })
    expect(first.status, first.text).toBe(201)
    const again = await call('POST', '/v1/registrations', {
      token,
      body,
      headers: { 'idempotency-key': key },
    })
    expect(again.status).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json.id).toBe(first.json.id)
    const changed = await call('POST', '/v1/registrations', {
      token,
      body: { ...body, name: 'Logscan Changed' },
      headers: { 'idempotency-key': key },
    })
    expect(changed.status).toBe(422)
  })

  it('upstream faults on register and on upload', async () => {
    const token = await userToken('logscan-faults')
    for (const kind of [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'drop' },
      { kind: 'malformed_json' },
      { kind: 'commit_then_timeout', delay_ms: 2500 },
    ]) {
      await fault({ path: REGISTER_PATH, ...kind })
      const response = await call('POST', '/v1/registrations', {
        token,
        body: await identityJson(person(), 23 + people, { phone_verified: true }),
      })
      expect(response.status, response.text).toBeGreaterThanOrEqual(200)
    }
    const officer = await userToken('logscan-faults-officer')
    const signer = await verifiedSigner('logscan-faults-signer', 41)
    for (const kind of [{ kind: 'status', status: 500 }, { kind: 'drop' }, { kind: 'malformed_json' }]) {
      await fault({ path: UPLOAD_PATH, ...kind })
      const response = await upload(officer, {
        signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 50)] }],
      })
      expect(response.status, response.text).toBeGreaterThanOrEqual(200)
    }
    await gateway.sim('DELETE', '/__sim/faults')
  }, 60_000)

  it('bad input: malformed JSON with a NIK, JWTs in wrong places, an oversized body', async () => {
    const token = await userToken('logscan-bad')
    const who = person()
    const malformed = await call('POST', '/v1/registrations', {
      token,
      rawBody: `{"registration_type":"privy_ra","nik":"${who.nik}","dob":"${who.dob}","phone":"${who.phone}",`,
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    expect(malformed.text).not.toContain(who.nik)
    // A NIK whose birth date contradicts the dob: refused with field errors.
    const contradicting = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(who, 51, { dob: '1999-01-01', phone_verified: true }),
    })
    expect(contradicting.status).toBeGreaterThanOrEqual(400)
    // A phone in a form the API refuses.
    const plusPhone = await call('POST', '/v1/registrations', {
      token,
      body: { registration_type: 'landing_page', name: who.name, email: who.email, phone: `+${who.phone}` },
    })
    expect(plusPhone.status).toBe(400)

    // JWTs where they do not belong: the API-key header, a bare Authorization, a query, a path, a body.
    const stray = await userToken('logscan-stray')
    expect((await call('GET', '/v1/registrations', { headers: { 'x-api-key': stray } })).status).toBe(401)
    expect((await call('GET', '/v1/registrations', { headers: { authorization: stray } })).status).toBe(401)
    expect((await call('GET', `/v1/registrations?access_token=${stray}`, { token })).status).toBe(400)
    expect((await call('GET', `/v1/registrations/${stray}`, { token })).status).toBeGreaterThanOrEqual(400)
    expect((await call('GET', `/v1/nowhere/${stray}?token=${stray}`, { token })).status).toBe(404)
    const inBody = await call('POST', '/v1/otp', {
      token,
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: stray, otp_code: stray },
    })
    expect(inBody.status).toBe(400)
    // A NIK and a phone in a URL (they belong in a body).
    expect((await call('GET', `/v1/registrations?nik=${who.nik}&phone=${who.phone}`, { token })).status).toBe(
      400,
    )
    expect((await call('GET', `/v1/registrations/${who.nik}`, { token })).status).toBe(400)

    // A multipart registration whose KTP is a text file quoting the NIK and the phone.
    const fake = new FormData()
    for (const [name, value] of Object.entries({
      registration_type: 'privy_ra',
      name: who.name,
      email: who.email,
      phone: who.phone,
      nik: who.nik,
      dob: who.dob,
      phone_verified: 'true',
    }))
      fake.set(name, value)
    const quoting = Buffer.from(`KTP ${who.nik} ${who.phone} ${who.email}`)
    fake.set('ktp', new Blob([quoting], { type: 'image/jpeg' }), 'ktp.jpg')
    fake.set('selfie', new Blob([quoting], { type: 'image/jpeg' }), 'selfie.jpg')
    expect((await call('POST', '/v1/registrations', { token, form: fake })).status).toBeGreaterThanOrEqual(
      400,
    )

    // A forged Privy callback naming the person: refused, kept, and logged without its body.
    const forged = await call('POST', '/v1/privy/callbacks', {
      rawBody: JSON.stringify({
        event: 'register',
        data: {
          reference_number: 'REG-FORGED',
          status: 'verified',
          email: who.email,
          phone: who.phone,
          nik: who.nik,
        },
      }),
      headers: { 'content-type': 'application/json', timestamp: new Date().toISOString(), signature: stray },
    })
    expect(forged.status).toBe(401)

    // Oversized: a JSON body over the 1 MiB limit of /v1/otp, full of identity data.
    const oversized = JSON.stringify({
      otp_type: 'registration',
      padding: `${who.nik} ${who.email} `.repeat(40_000),
    })
    try {
      const response = await call('POST', '/v1/otp', {
        token,
        rawBody: oversized,
        headers: { 'content-type': 'application/json' },
      })
      expect(response.status).toBe(413)
    } catch {
      // The gateway may close the connection before the body is sent: the refusal is in the logs either way.
    }
  })

  it('operator lookup by NIK', async () => {
    const token = await userToken('logscan-lookup')
    const who = person()
    const created = await call('POST', '/v1/registrations', {
      token,
      body: await identityJson(who, 61, { phone_verified: true }),
    })
    expect(created.status, created.text).toBe(201)
    const found = await call('POST', '/v1/registrations/lookup', { ...operator, body: { nik: who.nik } })
    expect(found.status, found.text).toBe(200)
    expect(found.json.data.map((item: { id: string }) => item.id)).toContain(created.json.id)
  })

  it('webhooks: deliveries to a local receiver, a replay, a secret rotation', async () => {
    const deliveries = await eventually('webhook deliveries that succeeded', async () => {
      const listed = await call('GET', `/v1/webhook-deliveries?endpoint_id=${endpointId}&limit=100`, operator)
      const done = (listed.json.data as Array<{ id: string; state: string }>).filter(
        (delivery) => delivery.state === 'succeeded',
      )
      return done.length >= 3 ? done : undefined
    })
    const replayed = await call('POST', `/v1/webhook-deliveries/${deliveries[0]?.id}/replay`, operator)
    expect(replayed.status, replayed.text).toBe(200)
    const rotated = await call('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`, {
      ...operator,
      body: { previous_secret_expires_in_seconds: 3600 },
    })
    expect(rotated.status, rotated.text).toBe(200)
    keep(rotated.json.secret, String(rotated.json.secret).replace(/^whsec_/, ''))
    expect(receiver.received.length).toBeGreaterThan(0)
  })
})

describe('errors that quote what they were sent', () => {
  it('are logged as type, scrubbed message and codes: no upstream text, options or meta', async () => {
    const who = person()
    const bearer = await userToken('logscan-error')
    const upstream = new PrivyUnprocessableEntityError(
      422,
      {
        code: 'E_DUPLICATE',
        messages: [`NIK ${who.nik} sudah terdaftar untuk ${who.email}`],
        fieldErrors: [{ field: 'phone', messages: [`${who.phone} tidak valid`] }],
      },
      { operation: 'registrations.register', requestId: randomUUID() },
    )
    const wrapped = new AppError('UPSTREAM_ERROR', {
      detail: `Refused for ${who.nik}, born ${who.dob}, phone +${who.phone}, token ${bearer}`,
      upstream: { status: 422, code: 'E_DUPLICATE', request_id: upstream.requestId },
      extensions: { nik: who.nik },
      cause: upstream,
    })
    const database = Object.assign(new Error(`Unique constraint failed: (nik)=(${who.nik})`), {
      code: 'P2002',
      meta: { target: ['nik'], value: who.nik, phone: who.phone },
    })
    gateway.app.log.error({ err: wrapped }, 'log-scan: an upstream error that echoes the request')
    gateway.app.log.error({ err: database }, 'log-scan: a database error that quotes a value')
    // A careless line: a body, one and two levels down.
    gateway.app.log.warn(
      { body: { nik: who.nik, dob: who.dob, phone: who.phone, identity: { email: who.email } } },
      'log-scan: a body logged by mistake',
    )
    const text = gateway.logs.text()
    expect(text).toContain('log-scan: an upstream error that echoes the request')
    expect(text).toContain('"type":"AppError"')
    expect(text).toContain('"code":"E_DUPLICATE"')
    expect(text).toContain('"code":"P2002"')
    expect(text).toContain('"fields":["phone"]')
    expect(text).toContain('"nik":"[redacted]"')
  })
})

describe('the logs of all that', () => {
  it('name the work done, and hold no identity data, code, token, key or secret', async () => {
    // Let the last callbacks, polls and deliveries land, so their handling is logged too.
    await new Promise((resolve) => setTimeout(resolve, 1000))

    // Secrets that only the database and the simulator know.
    const registerTokens = await allRegisterTokens(gateway)
    const documentTokens = await allDocumentTokens(gateway)
    expect(registerTokens.length).toBeGreaterThan(5)
    expect(documentTokens.length).toBeGreaterThanOrEqual(2)
    keep(...registerTokens, ...documentTokens)
    const state = gateway.simulator.state
    keep(...state.tokens.keys())
    for (const registration of state.registrations.values())
      keep(registration.registerToken, registration.landingToken)
    for (const document of state.documents.values()) keep(document.documentToken)
    const otps = await gateway.sim('GET', '/__sim/otps')
    const codes = (otps.json.otps as Array<{ code: string }>).map((otp) => otp.code)
    expect(codes.length).toBeGreaterThanOrEqual(5)
    keepDigits(...codes)

    const lines = gateway.logs.lines
    const text = gateway.logs.text()
    // LOG_SCAN_DUMP=/tmp/gateway.log keeps what was scanned, to read when this fails.
    if (process.env.LOG_SCAN_DUMP) await writeFile(process.env.LOG_SCAN_DUMP, text)

    // Not trivially empty: every request is logged, and the flows' steps are.
    expect(lines.length).toBeGreaterThan(200)
    const unlogged = requestIds.filter((id) => !text.includes(id))
    expect(unlogged).toEqual([])
    for (const expected of [
      '/v1/registrations',
      '/v1/registrations/lookup',
      '/v1/otp',
      '/v1/documents',
      '/v1/webhook-endpoints',
      '/v1/webhook-deliveries',
      '"msg":"privy call"',
      '"msg":"request refused"',
      '"msg":"request failed"',
      'privy callback received',
      'webhook attempt succeeded',
    ])
      expect(text, expected).toContain(expected)

    // The values collected on the way: zero hits.
    expect(secrets.size).toBeGreaterThan(100)
    expect(gateway.logs.leaked([...secrets])).toEqual([])
    const digitHits = [...digitSecrets].filter((digits) =>
      new RegExp(`(?<![\\w.])${digits}(?!\\w)`).test(text),
    )
    expect(digitHits).toEqual([])

    // And the shapes of such values, whoever they belonged to.
    const shapes: Record<string, RegExp> = {
      nik: /(?<![\w.])\d{6}(?:[0-6]\d|7[01])(?:0[1-9]|1[0-2])\d{2}\d{4}(?!\w)/g,
      jwt: /eyJ[\w-]{8,}/g,
      webhookSecret: /whsec_/g,
      dataUri: /data:image|data:application\/pdf/g,
      imageOrPdfBase64: /\/9j\/4AAQ|iVBORw0KGgo|JVBERi0/g,
      longBase64: /[A-Za-z0-9+/=_-]{200,}/g,
      bearer: /bearer\s+[\w.-]{8,}/gi,
      email: /[\w.+-]+@[\w-]+\.[\w.]+/g,
      phone: /(?<![\w.])(?:\+?62|0)8\d{7,12}(?!\w)/g,
    }
    const found = Object.fromEntries(
      Object.entries(shapes).map(([name, shape]) => [
        name,
        [...new Set(text.match(shape) ?? [])].slice(0, 5),
      ]),
    )
    expect(found).toEqual(Object.fromEntries(Object.keys(shapes).map((name) => [name, []])))
  })
})
