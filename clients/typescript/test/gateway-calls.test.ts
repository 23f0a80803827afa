import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validJpeg, validPng } from '../../../test/fixtures/images/images.js'
import { clientFor } from '../../../test/helpers/client.js'
import { a4Pdf, signatureAt, verifiedUser } from '../../../test/helpers/documents.js'
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js'
import { nikFor } from '../../../test/helpers/identity.js'
import {
  AuthenticationError,
  ConflictError,
  type GatewayClient,
  type LandingPageRegistrationRequest,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../src/index.js'

// Every helper of the client against the real gateway (real database, simulator on a socket).

let gateway: TestGateway

beforeAll(async () => {
  gateway = await startTestGateway()
})
afterAll(async () => {
  await gateway?.close()
})

const landingPage = (suffix: string): LandingPageRegistrationRequest => ({
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: `siti.${suffix}@example.co.id`,
  phone: '6281234567890',
})

async function latestCode(query: string): Promise<string> {
  const listed = await gateway.sim('GET', `/__sim/otps?${query}`)
  const code = listed.json.otps.at(-1)?.code
  expect(code).toMatch(/^\d{6}$/)
  return code
}

describe('multipart registration with the real image fixtures', () => {
  it('registers with the KTP and selfie as files, then the OTP helpers take it to waiting_verification', async () => {
    const client = await clientFor(gateway, 'user-multipart')
    const dob = '1990-05-17'
    const created = await client.registrations
      .createWithFiles({
        registration_type: 'privy_ra',
        name: 'Siti Aminah',
        email: 'siti.multipart@example.co.id',
        phone: '6281234567890',
        nik: nikFor(dob, { female: true }),
        dob,
        phone_verified: false,
        ktp: await validJpeg(),
        selfie: { data: new Blob([await validPng()]), filename: 'selfie.png', contentType: 'image/png' },
      })
      .withResponse()
    expect(created.response.status).toBe(201)
    expect(created.response.headers.get('location')).toBe(`/v1/registrations/${created.data.id}`)
    expect(created.data).toMatchObject({ registration_type: 'privy_ra', status: 'waiting_otp' })
    expect(
      (await gateway.sim('GET', `/__sim/registrations/${created.data.reference_number}`)).json,
    ).toMatchObject({
      registration_type: 'privy_ra',
      status: 'waiting_otp',
    })

    const otp = await client.otp.request({
      otp_type: 'registration',
      otp_channel: 'sms',
      registration_id: created.data.id,
    })
    expect(otp).toMatchObject({ status: 'active', registration_id: created.data.id })
    const validated = await client.otp.validate(
      otp.id,
      await latestCode(`reference_number=${created.data.reference_number}`),
    )
    expect(validated.status).toBe('validated')
    expect((await client.registrations.get(created.data.id)).status).toBe('waiting_verification')
  })

  it('resends a soft-rejected registration with a new KTP file only', async () => {
    const client = await clientFor(gateway, 'user-resend')
    const dob = '1992-03-04'
    const created = await client.registrations.createWithFiles({
      registration_type: 'privy_ra',
      name: 'Budi Santoso',
      email: 'budi.resend@example.co.id',
      phone: '6285712345678',
      nik: nikFor(dob, { ending: '0001' }),
      dob,
      phone_verified: true,
      ktp: await validJpeg(),
      selfie: await validJpeg(),
    })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const rejected = await client.registrations.get(created.id, { refresh: true })
    expect(rejected).toMatchObject({ status: 'rejected', can_resend: true, next_action: 'resend' })
    const resent = await client.registrations.resendWithFiles(created.id, {
      ktp: new Uint8Array(await validPng()),
    })
    expect(resent.status).toBe('waiting_verification')
  })
})

describe('documents', () => {
  it('uploads a PDF with metadata, signs it with the OTP helpers and downloads the signed PDF', async () => {
    const signer = await verifiedUser(gateway, 'client-signer')
    const uploader = await clientFor(gateway, 'client-uploader')
    const pdf = await a4Pdf(2)
    const uploaded = await uploader.documents.upload({
      file: pdf,
      metadata: {
        title: 'Perjanjian Kerja Sama',
        signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 700)] }],
      },
    })
    // The gateway hashed exactly the bytes given: the file part arrived whole.
    expect(uploaded).toMatchObject({ status: 'uploaded', page_count: 2, sign_process: 'parallel' })
    expect(uploaded.sha256).toBe(createHash('sha256').update(pdf).digest('hex'))

    const signerClient = await clientFor(gateway, { token: signer.token })
    const otp = await signerClient.otp.request({
      otp_type: 'document_signing',
      otp_channel: 'sms',
      document_ids: [uploaded.id],
    })
    await signerClient.otp.validate(otp.id, await latestCode(`signer_privy_id=${signer.privyId}`))
    expect((await uploader.documents.get(uploaded.id, { refresh: true })).status).toBe('completed')

    const signed = await uploader.documents.signedPdf(uploaded.id).withResponse()
    expect(signed.response.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(signed.data.subarray(0, 5)).toString()).toBe('%PDF-')
    const history = await uploader.documents.history(uploaded.id)
    expect(history.events.map((event) => event.source)).toContain('privy')
    expect((await uploader.documents.list().toArray()).map((document) => document.id)).toContain(uploaded.id)
    await expect(uploader.documents.revoke(uploaded.id)).rejects.toMatchObject({ status: 409 })
  })
})

describe('problem+json as typed exceptions', () => {
  it('carries code, request_id, detail and field errors, of the family of its status', async () => {
    const client = await clientFor(gateway, 'user-errors')
    const missing = await client.registrations.get(crypto.randomUUID()).catch((error: unknown) => error)
    expect(missing).toBeInstanceOf(NotFoundError)
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId: expect.any(String) })
    const notFound = missing as NotFoundError
    expect(notFound.requestId).toBe(notFound.headers.get('x-request-id'))

    const invalid = await client.registrations
      .create({ ...landingPage('invalid'), phone: '+62 812' })
      .catch((error: unknown) => error)
    expect(invalid).toBeInstanceOf(ValidationError)
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect((invalid as ValidationError).errors.map((error) => error.path)).toContain('phone')

    const anonymous = await clientFor(gateway, { token: 'not-a-jwt' })
    await expect(anonymous.registrations.list().toArray()).rejects.toBeInstanceOf(AuthenticationError)
  })

  it('names the existing row on a conflict, says when to retry on a limit, and quotes Privy on its failures', async () => {
    const client = await clientFor(gateway, 'user-families')
    const first = await client.registrations.create(landingPage('twice'))
    const again = await client.registrations.create(landingPage('twice')).catch((error: unknown) => error)
    expect(again).toBeInstanceOf(ConflictError)
    expect(again).toMatchObject({ code: 'REGISTRATION_EXISTS', problem: { registration_id: first.id } })

    const dob = '1988-08-08'
    const waiting = await client.registrations.createWithFiles({
      registration_type: 'privy_ra',
      name: 'Dewi Lestari',
      email: 'dewi.limits@example.co.id',
      phone: '6281398765432',
      nik: nikFor(dob, { female: true }),
      dob,
      phone_verified: false,
      ktp: await validJpeg(),
      selfie: await validPng(),
    })
    const otp = await client.otp.request({
      otp_type: 'registration',
      otp_channel: 'sms',
      registration_id: waiting.id,
    })
    const early = await client.otp.resend(otp.id).catch((error: unknown) => error)
    expect(early).toBeInstanceOf(RateLimitedError)
    expect(early).toMatchObject({ status: 429, code: 'OTP_RESEND_TOO_EARLY' })
    expect((early as RateLimitedError).retryAfter).toBeGreaterThan(0)

    await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register',
      kind: 'status',
      status: 500,
      times: 1,
    })
    const failed = await client.registrations.create(landingPage('upstream')).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(UpstreamError)
    expect(failed).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR', upstream: { status: 500 } })
    expect((failed as UpstreamError).outcomeUnknown).toBe(true)
    expect((failed as UpstreamError).idempotencyKey).toEqual(expect.any(String))
  })
})

describe('pagination as an async iterator', () => {
  it('walks every page in order, fetching a page only when the loop reaches it', async () => {
    const requested: string[] = []
    const client: GatewayClient = await clientFor(gateway, 'user-pages', {
      fetch: (request) => {
        requested.push(new URL(request.url).search)
        return fetch(request)
      },
    })
    const ids: string[] = []
    for (const suffix of ['p1', 'p2', 'p3', 'p4', 'p5'])
      ids.push((await client.registrations.create(landingPage(suffix))).id)
    requested.length = 0

    const seen: string[] = []
    for await (const registration of client.registrations.list({ limit: 2 })) seen.push(registration.id)
    expect(seen).toEqual([...ids].reverse())
    expect(requested).toHaveLength(3)
    expect(requested[0]).toBe('?limit=2')
    expect(requested[1]).toMatch(/^\?limit=2&cursor=/)

    const sizes: number[] = []
    for await (const page of client.registrations.list({ limit: 2 }).pages()) sizes.push(page.data.length)
    expect(sizes).toEqual([2, 2, 1])

    requested.length = 0
    for await (const registration of client.registrations.list({ limit: 2 })) {
      expect(registration.id).toBe(ids[4])
      break
    }
    expect(requested).toHaveLength(1)
  })
})

describe('authentication', () => {
  it('asks a token function before every call, and an operator key sees every caller', async () => {
    let asked = 0
    const user = await gateway.userToken('user-token-fn')
    const client = await clientFor(gateway, 'anonymous', {
      token: async () => {
        asked += 1
        return user
      },
    })
    const created = await client.registrations.create(landingPage('token-fn'))
    await client.registrations.get(created.id)
    expect(asked).toBe(2)

    // A token function that fails is the caller's error, as it is, and not a reason to retry.
    let refused = 0
    const signedOut = await clientFor(gateway, 'anonymous', {
      maxRetries: 3,
      token: async () => {
        refused += 1
        throw new Error('the user signed out')
      },
    })
    await expect(signedOut.registrations.get(created.id)).rejects.toThrow('the user signed out')
    expect(refused).toBe(1)

    const operator = await clientFor(gateway, 'operator')
    expect((await operator.registrations.get(created.id)).id).toBe(created.id)
    const stranger = await clientFor(gateway, 'user-stranger')
    await expect(stranger.registrations.get(created.id)).rejects.toBeInstanceOf(NotFoundError)

    // The raw client: typed answers, never throwing, for asserting statuses exactly.
    const raw = await stranger.raw.GET('/v1/registrations/{id}', { params: { path: { id: created.id } } })
    expect(raw.response.status).toBe(404)
    expect(raw.error?.code).toBe('NOT_FOUND')
  })
})
