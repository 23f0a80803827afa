import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'

// Contract §2: token endpoint, bearer, Timestamp and Signature checks, over a real socket.
// The clock is injected so token expiry and timestamp skew are tested without waiting.

const REGISTER = '/web/api/v2/register'
const start = new Date('2026-11-25T03:00:00Z')
let clock = start
const advance = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000)
}

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator({ now: () => clock })
  client = new SimulatorClient(simulator.url, { now: () => clock })
})

afterAll(async () => {
  await simulator.close()
})

function errorsOf(json: unknown): unknown[] {
  return (json as { error: { errors: unknown[] } }).error.errors
}

function expectContractError(response: { status: number; json: unknown }, status: number, text?: RegExp) {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({ error: { code: status } })
  if (text) expect(errorsOf(response.json).join(' ')).toMatch(text)
}

describe('§2.1 token endpoint', () => {
  it('issues a bearer token with the contract data', async () => {
    const response = await client.requestToken()
    expect(response.status).toBe(201)
    expect(response.json).toMatchObject({
      message: expect.any(String),
      data: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 },
    })
    const data = (response.json as { data: { access_token: string; created_at: string } }).data
    expect(data.access_token.length).toBeGreaterThanOrEqual(32)
    expect(new Date(data.created_at).getTime()).toBe(clock.getTime())
  })

  it('refuses wrong client credentials with 401', async () => {
    expectContractError(await client.requestToken(DEV_CREDENTIALS.clientId, 'wrong'), 401)
    expectContractError(await client.requestToken('someone-else', DEV_CREDENTIALS.clientSecret), 401)
  })

  it('refuses a malformed token request with 422 naming the field', async () => {
    const response = await client.send('POST', '/oauth2/api/v1/token', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: DEV_CREDENTIALS.clientId,
        client_secret: 'x',
        grant_type: 'password',
      }),
    })
    expectContractError(response, 422)
    expect(errorsOf(response.json)).toContainEqual({
      field: 'grant_type',
      messages: ['must be client_credentials'],
    })
  })

  it('expires tokens after their lifetime', async () => {
    const token = await new SimulatorClient(simulator.url, { now: () => clock }).token()
    advance(3599)
    expect((await client.signedPost(REGISTER, registerBody('landing_page'), { token })).status).toBe(201)
    advance(2)
    const expired = await client.signedPost(REGISTER, registerBody('landing_page'), { token })
    expectContractError(expired, 401, /expired/)
  })
})

describe('§2.2 bearer token', () => {
  it('refuses a call without a bearer token', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), {
      omit: ['authorization'],
    })
    expectContractError(response, 401, /Bearer/)
  })

  it('refuses an unknown bearer token', async () => {
    expectContractError(
      await client.signedPost(REGISTER, registerBody('landing_page'), { token: 'made-up' }),
      401,
    )
  })
})

describe('§2.3 Timestamp', () => {
  it('refuses a missing Timestamp', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), { omit: ['timestamp'] })
    expectContractError(response, 401, /Timestamp/)
  })

  it.each([
    ['a word', 'yesterday'],
    ['no offset', '2026-11-25T10:00:00'],
    ['a space instead of T', '2026-11-25 10:00:00+07:00'],
    ['epoch seconds', '1795575600'],
    ['a day that does not exist', '2026-02-30T10:00:00+07:00'],
    ['hour 25', '2026-11-25T25:00:00+07:00'],
    ['an offset without colon', '2026-11-25T10:00:00+0700'],
  ])('refuses a Timestamp that is %s', async (_label, timestamp) => {
    // Signed over the bad value, so only the format can be the reason.
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), { timestamp })
    expectContractError(response, 401, /Timestamp must be ISO-8601/)
  })

  it('accepts any offset and fractional seconds within the tolerance', async () => {
    const utc = clock.toISOString()
    expect((await client.signedPost(REGISTER, registerBody('landing_page'), { timestamp: utc })).status).toBe(
      201,
    )
  })

  it.each([
    ['301 s old', -301, 401],
    ['301 s ahead', 301, 401],
    ['299 s old', -299, 201],
    ['299 s ahead', 299, 201],
  ])('a Timestamp %s answers %i', async (_label, offsetSeconds, status) => {
    const timestamp = privyTimestamp(new Date(clock.getTime() + offsetSeconds * 1000))
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), { timestamp })
    expect(response.status).toBe(status)
    if (status === 401) expect(errorsOf(response.json).join(' ')).toMatch(/away from the server clock/)
  })
})

describe('§2.3 Signature', () => {
  const timestamp = () => privyTimestamp(clock)

  it('refuses a missing Signature', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), { omit: ['signature'] })
    expectContractError(response, 401, /Signature/)
  })

  it('refuses a signature made with the wrong api_secret', async () => {
    const body = registerBody('landing_page')
    const ts = timestamp()
    const signature = signatureFor({ apiKey: DEV_CREDENTIALS.apiKey, apiSecret: 'wrong' }, ts, body)
    expectContractError(
      await client.signedPost(REGISTER, body, { timestamp: ts, signature }),
      401,
      /does not match/,
    )
  })

  it('refuses a signature made with another api_key', async () => {
    const body = registerBody('landing_page')
    const ts = timestamp()
    const signature = signatureFor({ apiKey: 'other-key', apiSecret: DEV_CREDENTIALS.apiSecret }, ts, body)
    expectContractError(await client.signedPost(REGISTER, body, { timestamp: ts, signature }), 401, /api_key/)
  })

  it('refuses a body changed after signing', async () => {
    const body = registerBody('landing_page')
    const ts = timestamp()
    const signature = signatureFor(DEV_CREDENTIALS, ts, body)
    const tampered = { ...body, phone: '6289999999999' }
    expectContractError(await client.signedPost(REGISTER, tampered, { timestamp: ts, signature }), 401)
  })

  it('refuses a signature over another Timestamp than the one sent', async () => {
    const body = registerBody('landing_page')
    const signature = signatureFor(DEV_CREDENTIALS, privyTimestamp(new Date(clock.getTime() - 1000)), body)
    expectContractError(await client.signedPost(REGISTER, body, { timestamp: timestamp(), signature }), 401)
  })

  it('checks the parsed body, so formatting whitespace and binary keys do not matter', async () => {
    const body = registerBody('privy_ra')
    const response = await client.signedPost(REGISTER, body, { bodyText: JSON.stringify(body, null, 2) })
    expect(response.status).toBe(201)
  })
})

describe('§1 transport', () => {
  it('refuses a wrong content type with 400 in the contract shape', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), {
      headers: { 'content-type': 'text/plain' },
    })
    expectContractError(response, 400, /Content-Type/)
  })

  it('refuses a non-UTF-8 charset', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page'), {
      headers: { 'content-type': 'application/json; charset=latin1' },
    })
    expectContractError(response, 400)
  })

  it.each([
    ['broken JSON', '{"reference_number":'],
    ['an array', '[]'],
    ['a string', '"text"'],
    ['null', 'null'],
    ['an empty body', ''],
  ])('refuses %s as the body with 400', async (_label, bodyText) => {
    const response = await client.signedPost(REGISTER, {}, { bodyText })
    expectContractError(response, 400)
  })

  it('answers unknown operations with 404 in the contract shape', async () => {
    expectContractError(await client.signedPost('/web/api/v2/nothing-here', {}), 404)
  })
})
