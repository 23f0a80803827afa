import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type TestGateway, useGateway } from '../helpers/gateway.js'

let token: string

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken('user-bad-input')
})

const valid = {
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: 'siti@example.co.id',
  phone: '6281234567890',
}

const REGISTER_PATH = '/web/api/v2/register'
let upstreamCallsBefore = 0

beforeEach(async () => {
  upstreamCallsBefore = (await gateway.sim('GET', `/__sim/requests/count?path=${REGISTER_PATH}`)).json.count
})

/** The refusal is problem+json, nothing is stored and nothing reaches Privy. */
async function expectRefused(
  response: Awaited<ReturnType<TestGateway['call']>>,
  status: number,
  code: string,
  path?: string,
) {
  expect(response.status).toBe(status)
  expect(response.headers['content-type']).toContain('application/problem+json')
  expect(response.json).toMatchObject({ status, code, request_id: expect.any(String) })
  if (path) expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path)
  expect(await gateway.database.prisma.registration.count()).toBe(0)
  const upstreamCalls = (await gateway.sim('GET', `/__sim/requests/count?path=${REGISTER_PATH}`)).json.count
  expect(upstreamCalls).toBe(upstreamCallsBefore)
}

describe('POST /v1/registrations refuses bad input', () => {
  it('malformed JSON', async () => {
    const response = await gateway.call('POST', '/v1/registrations', {
      token,
      rawBody: '{"registration_type": "landing_page", ',
      headers: { 'content-type': 'application/json' },
    })
    await expectRefused(response, 400, 'MALFORMED_BODY')
  })

  it('an empty body and a JSON array', async () => {
    const empty = await gateway.call('POST', '/v1/registrations', {
      token,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    })
    await expectRefused(empty, 400, 'MALFORMED_BODY')
    const array = await gateway.call('POST', '/v1/registrations', { token, body: [valid] })
    await expectRefused(array, 400, 'VALIDATION_FAILED')
  })

  it.each([
    ['wrong type for name', { ...valid, name: 42 }, 'name'],
    ['missing email', { ...valid, email: undefined }, 'email'],
    // Each member the schema does not allow is named, so the app knows what to drop.
    ['unknown field', { ...valid, nik: '3171234567890001', admin: true }, 'admin'],
    ['a full registration field on a landing page', { ...valid, nik: '3171234567890001' }, 'nik'],
    ['phone with +', { ...valid, phone: '+6281234567890' }, 'phone'],
    ['phone not 62', { ...valid, phone: '081234567890' }, 'phone'],
    ['phone too short', { ...valid, phone: '62812345' }, 'phone'],
    ['phone with letters', { ...valid, phone: '62812345678ab' }, 'phone'],
    ['email that is not one', { ...valid, email: 'siti.example.co.id' }, 'email'],
    ['email with a script', { ...valid, email: '<script>@x.id' }, 'email'],
    ['empty name', { ...valid, name: '   ' }, 'name'],
    ['name with markup', { ...valid, name: 'Siti <b>Aminah</b>' }, 'name'],
    ['unknown registration type', { ...valid, registration_type: 'walk_in' }, 'registration_type'],
  ])('%s', async (_label, body, path) => {
    const response = await gateway.call('POST', '/v1/registrations', { token, body })
    await expectRefused(response, 400, 'VALIDATION_FAILED', path)
  })

  it('a body of 2 MB: refused by the field rules (this route takes up to two images of base64)', async () => {
    const response = await gateway.call('POST', '/v1/registrations', {
      token,
      body: { ...valid, name: 'A'.repeat(2 * 1024 * 1024) },
    })
    await expectRefused(response, 400, 'VALIDATION_FAILED', 'name')
  })

  it('a body larger than two images at their caps', async () => {
    const response = await gateway.call('POST', '/v1/registrations', {
      token,
      body: { ...valid, name: 'A'.repeat(10 * 1024 * 1024) },
    })
    await expectRefused(response, 413, 'PAYLOAD_TOO_LARGE')
  })

  it('a prototype-poisoning body', async () => {
    const response = await gateway.call('POST', '/v1/registrations', {
      token,
      rawBody: `{"registration_type":"landing_page","name":"Siti","email":"s@x.id","phone":"6281234567890","__proto__":{"admin":true}}`,
      headers: { 'content-type': 'application/json' },
    })
    await expectRefused(response, 400, 'MALFORMED_BODY')
  })

  it('a content type other than JSON', async () => {
    const response = await gateway.call('POST', '/v1/registrations', {
      token,
      rawBody: 'registration_type=landing_page',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    await expectRefused(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })

  it('no credentials, even with a valid body', async () => {
    const response = await gateway.call('POST', '/v1/registrations', { body: valid })
    await expectRefused(response, 401, 'UNAUTHENTICATED')
  })
})

describe('GET routes refuse bad input', () => {
  it('an id that is not a UUID', async () => {
    const response = await gateway.call('GET', '/v1/registrations/not-a-uuid', { token })
    expect(response.status).toBe(400)
    expect(response.json.errors[0].path).toBe('params.id')
  })

  it('a hostile id', async () => {
    const response = await gateway.call('GET', `/v1/registrations/${encodeURIComponent("1' OR '1'='1")}`, {
      token,
    })
    expect(response.status).toBe(400)
  })

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['refresh=yes', 'query.refresh'],
    ['unknown=1', 'query.unknown'],
  ])('query %s', async (query, path) => {
    const target = query.startsWith('refresh')
      ? `/v1/registrations/00000000-0000-4000-8000-000000000000?${query}`
      : `/v1/registrations?${query}`
    const response = await gateway.call('GET', target, { token })
    expect(response.status).toBe(400)
    expect(response.json.code).toBe('VALIDATION_FAILED')
    expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path)
  })
})
