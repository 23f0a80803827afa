import { SignJWT, UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { TEST_JWT_SECRET, useGateway } from '../helpers/gateway.js'

const gateway = useGateway({ AUTH_JWT_ISSUER: 'merchant-auth', AUTH_JWT_AUDIENCE: 'privy-gateway' })

const key = new TextEncoder().encode(TEST_JWT_SECRET)
const goodClaims = { iss: 'merchant-auth', aud: 'privy-gateway' }

async function expectUnauthenticated(headers: Record<string, string>, path = '/v1/registrations') {
  const response = await gateway.call('GET', path, { headers })
  expect(response.status).toBe(401)
  expect(response.headers['content-type']).toContain('application/problem+json')
  expect(response.headers['www-authenticate']).toBe('Bearer')
  expect(response.json).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })
  expect(response.json.request_id).toEqual(expect.any(String))
  return response
}

describe('caller authentication', () => {
  it('accepts a valid token', async () => {
    const token = await gateway.userToken('user-a', goodClaims)
    const response = await gateway.call('GET', '/v1/registrations', { token })
    expect(response.status).toBe(200)
  })

  it('refuses a request with no credentials', async () => {
    await expectUnauthenticated({})
  })

  it('refuses an expired token', async () => {
    const token = await new SignJWT(goodClaims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-a')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key)
    const response = await expectUnauthenticated({ authorization: `Bearer ${token}` })
    expect(response.json.detail).toMatch(/expired/)
  })

  it('refuses a token signed with another key', async () => {
    const forged = await new SignJWT(goodClaims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-a')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-of-at-least-thirty-two-chars'))
    await expectUnauthenticated({ authorization: `Bearer ${forged}` })
  })

  it('refuses an unsigned (alg: none) token', async () => {
    const unsigned = new UnsecuredJWT(goodClaims).setSubject('user-a').setExpirationTime('5m').encode()
    await expectUnauthenticated({ authorization: `Bearer ${unsigned}` })
  })

  it('refuses a token without exp, with the wrong issuer or the wrong audience', async () => {
    const noExp = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(key)
    await expectUnauthenticated({ authorization: `Bearer ${noExp}` })
    for (const claims of [
      { ...goodClaims, iss: 'someone-else' },
      { ...goodClaims, aud: 'another-api' },
    ]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u')
        .setExpirationTime('5m')
        .sign(key)
      await expectUnauthenticated({ authorization: `Bearer ${token}` })
    }
  })

  it('refuses a malformed Authorization header and a token in the query string', async () => {
    const token = await gateway.userToken('user-a', goodClaims)
    await expectUnauthenticated({ authorization: `Token ${token}` })
    await expectUnauthenticated({ authorization: 'Bearer' })
    await expectUnauthenticated({}, `/v1/registrations?access_token=${token}`)
  })

  it('refuses a missing or wrong API key', async () => {
    await expectUnauthenticated({ 'x-api-key': 'not-the-key' })
    await expectUnauthenticated({ 'x-api-key': '' })
  })
})

describe('public routes', () => {
  it('serves liveness, readiness, the OpenAPI document and Swagger UI without credentials', async () => {
    expect((await gateway.call('GET', '/health/live')).json).toEqual({ status: 'ok' })
    const ready = await gateway.call('GET', '/health/ready')
    expect(ready.status).toBe(200)
    expect(ready.json.checks.database).toBe('ok')
    expect(ready.json.checks.privy).toBe('ok')
    const openapi = await gateway.call('GET', '/openapi.json')
    expect(openapi.json.openapi).toBe('3.1.0')
    const docs = await gateway.call('GET', '/docs/')
    expect(docs.status).toBe(200)
    expect(docs.text).toContain('swagger-ui')
  })

  it('answers an unknown route with problem+json', async () => {
    const response = await gateway.call('GET', '/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(response.json).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404 })
  })

  it('echoes a sensible X-Request-ID and replaces a hostile one', async () => {
    const kept = await gateway.call('GET', '/health/live', { headers: { 'x-request-id': 'trace-abc-12345' } })
    expect(kept.headers['x-request-id']).toBe('trace-abc-12345')
    const replaced = await gateway.call('GET', '/health/live', {
      headers: { 'x-request-id': 'a b<script>' },
    })
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    // A NIK or a phone number as a request id would be echoed and logged on every line: replaced.
    for (const personal of ['3171015705900101', 'req-6281234567890']) {
      const answer = await gateway.call('GET', '/health/live', { headers: { 'x-request-id': personal } })
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
  })
})
