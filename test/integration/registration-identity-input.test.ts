import { FormData } from 'undici'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { upstreamCount } from '../helpers/documents.js'
import { type CallResult, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor, photo } from '../helpers/identity.js'
import { multipartHead, streamOversizedPart } from '../helpers/oversized-upload.js'

// merchant_ra stays disabled here: the default for a merchant Privy did not enable as RA.
const gateway = useGateway()
let token: string
beforeAll(async () => {
  token = await gateway.userToken('user-identity-input')
})

const REGISTER_PATH = '/web/api/v2/register'
let upstreamBefore = 0
let rowsBefore = 0
beforeEach(async () => {
  upstreamBefore = await upstreamCount(gateway, REGISTER_PATH)
  rowsBefore = await gateway.database.prisma.registration.count()
})

async function expectRefused(response: CallResult, status: number, path?: string) {
  expect(response.status, response.text).toBe(status)
  expect(response.headers['content-type']).toContain('application/problem+json')
  if (path) expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path)
  expect(await gateway.database.prisma.registration.count()).toBe(rowsBefore)
  expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(upstreamBefore)
}

async function multipartForm(files: Record<string, { bytes: Buffer; name: string; type: string }>) {
  const dob = '1990-05-17'
  const form = new FormData()
  form.set('registration_type', 'privy_ra')
  form.set('name', 'Siti Aminah')
  form.set('email', 'siti@example.co.id')
  form.set('phone', '6281234567890')
  form.set('nik', nikFor(dob, { female: true }))
  form.set('dob', dob)
  for (const [field, file] of Object.entries(files))
    form.append(field, new Blob([file.bytes], { type: file.type }), file.name)
  return form
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

describe('images are checked by content', () => {
  it('a PNG named .jpg is fine', async () => {
    const form = await multipartForm({
      ktp: { bytes: await photo('png'), name: 'ktp.jpg', type: 'image/jpeg' },
      selfie: { bytes: await photo('jpeg'), name: 'selfie.jpg', type: 'image/jpeg' },
    })
    const response = await gateway.call('POST', '/v1/registrations', { token, form })
    expect(response.status, response.text).toBe(201)
    rowsBefore += 1
    upstreamBefore += 1
  })

  it('a PDF named .jpg is refused', async () => {
    const form = await multipartForm({
      ktp: { bytes: pdf, name: 'ktp.jpg', type: 'image/jpeg' },
      selfie: { bytes: await photo('jpeg'), name: 'selfie.jpg', type: 'image/jpeg' },
    })
    await expectRefused(await gateway.call('POST', '/v1/registrations', { token, form }), 422, 'ktp')
  })

  it('a truncated JPEG (does not decode) is refused, in JSON too', async () => {
    const jpeg = await photo('jpeg')
    const body = await fullRegistrationJson({ selfie: jpeg.subarray(0, jpeg.length / 2).toString('base64') })
    await expectRefused(await gateway.call('POST', '/v1/registrations', { token, body }), 422, 'selfie')
  })

  it('base64 that is not base64 is refused', async () => {
    const body = await fullRegistrationJson({ ktp: 'this is not an image!!' })
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    expect([400, 422]).toContain(response.status)
    await expectRefused(response, response.status, 'ktp')
  })

  it('an image over its cap is refused while streaming, before the whole body is read', async () => {
    const capBytes = 2 * 1024 * 1024
    const hugeBytes = 64 * 1024 * 1024
    const boundary = '----privy-gateway-test'
    const head = multipartHead(
      boundary,
      { registration_type: 'privy_ra' },
      { name: 'ktp', filename: 'ktp.jpg', contentType: 'image/jpeg' },
    )
    const answer = await streamOversizedPart(`${gateway.url}/v1/registrations`, {
      head,
      boundary,
      total: hugeBytes,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body).code).toBe('PAYLOAD_TOO_LARGE')
    const sent = answer.sentWhenAnswered
    expect(sent).toBeLessThan(hugeBytes)
    expect(sent).toBeGreaterThanOrEqual(capBytes)
    expect(await gateway.database.prisma.registration.count()).toBe(rowsBefore)
  })

  it('an extra file is refused', async () => {
    const form = await multipartForm({
      ktp: { bytes: await photo('jpeg'), name: 'ktp.jpg', type: 'image/jpeg' },
      selfie: { bytes: await photo('jpeg'), name: 'selfie.jpg', type: 'image/jpeg' },
      passport: { bytes: await photo('jpeg'), name: 'passport.jpg', type: 'image/jpeg' },
    })
    const response = await gateway.call('POST', '/v1/registrations', { token, form })
    expect([400, 413]).toContain(response.status)
    await expectRefused(response, response.status)
  })

  it('1,000 fields are refused', async () => {
    const form = new FormData()
    for (let index = 0; index < 1000; index++) form.append(`field${index}`, 'x')
    await expectRefused(await gateway.call('POST', '/v1/registrations', { token, form }), 413)
  })
})

describe('NIK and date of birth', () => {
  it('a NIK of 15 digits is refused', async () => {
    const body = await fullRegistrationJson({ nik: '317101570590012' })
    await expectRefused(await gateway.call('POST', '/v1/registrations', { token, body }), 400, 'nik')
  })

  it('a NIK whose date part contradicts dob is refused with 422, naming no value', async () => {
    const body = await fullRegistrationJson({
      nik: nikFor('1990-05-18', { female: true }),
      dob: '1990-05-17',
    })
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    await expectRefused(response, 422, 'nik')
    expect(response.text).not.toContain(String(body.nik))
    expect(response.text).not.toContain('1990-05-17')
  })

  it('the same birth date encoded for a man (no day + 40) is accepted: the API takes no gender', async () => {
    const body = await fullRegistrationJson({ nik: nikFor('1990-05-17'), dob: '1990-05-17' })
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    expect(response.status).toBe(201)
    rowsBefore += 1
    upstreamBefore += 1
  })

  it('a dob in the future is refused', async () => {
    const dob = `${new Date().getUTCFullYear() + 1}-01-15`
    const body = await fullRegistrationJson({ nik: nikFor(dob), dob })
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    expect([400, 422]).toContain(response.status)
    await expectRefused(response, response.status, 'dob')
  })

  it('merchant_ra is refused when the merchant is not an RA', async () => {
    const body = await fullRegistrationJson({ registration_type: 'merchant_ra' })
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    await expectRefused(response, 403)
    expect(response.json.code).toBe('FEATURE_NOT_ENABLED')
  })

  it.each([
    ['missing selfie', { selfie: undefined }, 'selfie'],
    ['missing nik', { nik: undefined }, 'nik'],
    ['phone_verified as a string in JSON', { phone_verified: 'yes' }, 'phone_verified'],
  ])('%s is refused', async (_label, overrides, path) => {
    const body = await fullRegistrationJson(overrides)
    await expectRefused(await gateway.call('POST', '/v1/registrations', { token, body }), 400, path)
  })
})

describe('what the refusals leave behind', () => {
  it('no NIK, date of birth or image bytes in any log line', () => {
    const logs = gateway.logs.text()
    expect(logs).not.toMatch(/\b317101\d{10}\b/)
    expect(logs).not.toMatch(/\b(19|20)\d{2}-\d{2}-\d{2}\b(?!T)/)
    expect(logs).not.toMatch(/\/9j\/4AAQ|iVBORw0KGgo|JVBERi0/)
    expect(gateway.logs.leaked(gateway.secrets)).toEqual([])
  })
})
