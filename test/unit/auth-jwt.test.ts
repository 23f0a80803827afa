import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuthAnswer, authApp, genericPart, whoami } from './auth-app.js'

/**
 * JWT hardening (OWASP API2, anchors D3): every forged, stale, misaddressed or malformed bearer token
 * is a 401 with one generic problem body. The only failure told apart is expiry ("The token has
 * expired"), which the holder can read from the token itself and needs in order to refresh it.
 * Clock tolerance: none. `exp` and `nbf` are exact to the second.
 */

const SECRET = 'unit-test-jwt-secret-that-is-long-enough-0123456789'
const ISSUER = 'merchant-auth'
const AUDIENCE = 'privy-gateway'
const secretKey = new TextEncoder().encode(SECRET)
const now = () => Math.floor(Date.now() / 1000)

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()

let hsApp: FastifyInstance
let rsApp: FastifyInstance
let esApp: FastifyInstance

beforeAll(async () => {
  hsApp = await authApp({ jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } })
  // A secret next to the public key changes nothing: the key decides, and only RS256 is accepted.
  rsApp = await authApp({ jwt: { secret: SECRET, publicKeyPem: pem(rsa.publicKey), issuer: ISSUER } })
  esApp = await authApp({ jwt: { publicKeyPem: pem(ec.publicKey) } })
})
afterAll(async () => {
  await Promise.all([hsApp?.close(), rsApp?.close(), esApp?.close()])
})

interface Claims {
  sub?: unknown
  exp?: number
  nbf?: number
  iss?: string
  aud?: string | string[]
  [claim: string]: unknown
}

const goodClaims = (): Claims => ({ sub: 'user-a', exp: now() + 300, iss: ISSUER, aud: AUDIENCE })

function sign(
  claims: Claims,
  alg: string,
  key: KeyObject | Uint8Array,
  header: Record<string, unknown> = {},
): Promise<string> {
  // SignJWT would refuse some of these claims (a numeric sub); they are the point of the test.
  return new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ ...header, alg }).sign(key)
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** A compact JWS signed by hand: nothing stops it from naming whatever `alg` it likes. */
function handMade(header: Record<string, unknown>, claims: Claims, sign: (input: string) => string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  return `${input}.${sign(input)}`
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

function expectRefused(answer: AuthAnswer) {
  expect(answer.status).toBe(401)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  expect(answer.headers['www-authenticate']).toBe('Bearer')
  expect(answer.json).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', request_id: expect.any(String) })
}

/** Every refusal except expiry has the very same body: nothing says which check failed. */
async function expectGenericRefusal(app: FastifyInstance, token: string) {
  const answer = await whoami(app, bearer(token))
  expectRefused(answer)
  const reference = await whoami(app, bearer('not-a-token'))
  expect(genericPart(answer)).toEqual(genericPart(reference))
  expect(answer.json.detail).toBe('The token is not valid')
}

describe('HS256 gateway (AUTH_JWT_SECRET, issuer and audience configured)', () => {
  it('accepts a well-formed token, with the audience alone or in a list', async () => {
    expect((await whoami(hsApp, bearer(await sign(goodClaims(), 'HS256', secretKey)))).json).toEqual({
      kind: 'user',
      userId: 'user-a',
    })
    const listed = await sign({ ...goodClaims(), aud: ['another-api', AUDIENCE] }, 'HS256', secretKey)
    expect((await whoami(hsApp, bearer(listed))).status).toBe(200)
  })

  it('refuses alg none, in every spelling, with or without a signature part', async () => {
    const claims = goodClaims()
    await expectGenericRefusal(hsApp, new UnsecuredJWT(claims as Record<string, unknown>).encode())
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await expectGenericRefusal(
        hsApp,
        handMade({ alg, typ: 'JWT' }, claims, () => ''),
      )
      await expectGenericRefusal(
        hsApp,
        handMade({ alg, typ: 'JWT' }, claims, () => b64url('x')),
      )
    }
  })

  it('refuses a token with no alg, or an alg other than HS256 under the same secret', async () => {
    const claims = goodClaims()
    await expectGenericRefusal(
      hsApp,
      handMade({ typ: 'JWT' }, claims, (input) =>
        createHmac('sha256', SECRET).update(input).digest('base64url'),
      ),
    )
    for (const alg of ['HS384', 'HS512'])
      await expectGenericRefusal(hsApp, await sign(claims, alg, secretKey))
  })

  it('refuses an RS256 or ES256 token (algorithm confusion the other way round)', async () => {
    await expectGenericRefusal(hsApp, await sign(goodClaims(), 'RS256', rsa.privateKey))
    await expectGenericRefusal(hsApp, await sign(goodClaims(), 'ES256', ec.privateKey))
  })

  it('refuses a token signed with another secret', async () => {
    const other = new TextEncoder().encode('another-secret-of-at-least-thirty-two-characters')
    await expectGenericRefusal(hsApp, await sign(goodClaims(), 'HS256', other))
  })

  it('refuses an expired token with no clock tolerance: exp now, a second ago, an hour ago', async () => {
    for (const exp of [now(), now() - 1, now() - 3600, 0]) {
      const answer = await whoami(hsApp, bearer(await sign({ ...goodClaims(), exp }, 'HS256', secretKey)))
      expectRefused(answer)
      expect(answer.json.detail).toBe('The token has expired')
    }
  })

  it('refuses a token that is not valid yet (nbf in the future, by a few seconds or an hour)', async () => {
    for (const nbf of [now() + 5, now() + 3600]) {
      await expectGenericRefusal(hsApp, await sign({ ...goodClaims(), nbf }, 'HS256', secretKey))
    }
  })

  it('refuses a token without exp, or with an exp that is not a number', async () => {
    const { exp: _exp, ...noExp } = goodClaims()
    await expectGenericRefusal(hsApp, await sign(noExp, 'HS256', secretKey))
    await expectGenericRefusal(
      hsApp,
      await sign({ ...goodClaims(), exp: 'tomorrow' as never }, 'HS256', secretKey),
    )
  })

  it('refuses the wrong or a missing issuer and audience', async () => {
    const { iss: _iss, ...noIssuer } = goodClaims()
    const { aud: _aud, ...noAudience } = goodClaims()
    for (const claims of [
      { ...goodClaims(), iss: 'someone-else' },
      { ...goodClaims(), iss: `${ISSUER} ` },
      noIssuer,
      { ...goodClaims(), aud: 'another-api' },
      { ...goodClaims(), aud: ['another-api'] },
      noAudience,
    ]) {
      await expectGenericRefusal(hsApp, await sign(claims, 'HS256', secretKey))
    }
  })

  it('refuses a token without a usable subject: missing, empty, not a string, longer than 255', async () => {
    const { sub: _sub, ...noSubject } = goodClaims()
    for (const claims of [
      noSubject,
      { ...goodClaims(), sub: '' },
      { ...goodClaims(), sub: 42 },
      { ...goodClaims(), sub: ['user-a'] },
      { ...goodClaims(), sub: { id: 'user-a' } },
      { ...goodClaims(), sub: true },
      { ...goodClaims(), sub: null },
      { ...goodClaims(), sub: 'u'.repeat(256) },
    ]) {
      await expectGenericRefusal(hsApp, await sign(claims, 'HS256', secretKey))
    }
  })

  it('refuses malformed tokens: two segments, four, garbage base64, a JSON header that is not an object', async () => {
    const good = await sign(goodClaims(), 'HS256', secretKey)
    const [header = '', payload = '', signature = ''] = good.split('.')
    for (const token of [
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.${signature}`,
      `${header}..${signature}`,
      `!!!.${payload}.${signature}`,
      `${header}.%%%.${signature}`,
      `${header}.${payload}.${signature}x`,
      `${b64url('"HS256"')}.${payload}.${signature}`,
      `${b64url('{"alg":"HS256"')}.${payload}.${signature}`,
      `${header}.${b64url('not json')}.${signature}`,
      'a.b.c',
    ]) {
      await expectGenericRefusal(hsApp, token)
    }
  })

  it('refuses a token over 8 KiB even when it is properly signed', async () => {
    const huge = await sign({ ...goodClaims(), padding: 'x'.repeat(8 * 1024) }, 'HS256', secretKey)
    expect(huge.length).toBeGreaterThan(8 * 1024)
    await expectGenericRefusal(hsApp, huge)
    // Just under the cap still works: the cap is a size limit, not a claim check.
    const large = await sign({ ...goodClaims(), padding: 'x'.repeat(5 * 1024) }, 'HS256', secretKey)
    expect((await whoami(hsApp, bearer(large))).status).toBe(200)
  })

  it('refuses an unknown critical header parameter', async () => {
    const token = await new SignJWT(goodClaims() as Record<string, unknown>)
      .setProtectedHeader({ alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true })
      .sign(secretKey)
      .catch(() =>
        handMade(
          { alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true },
          goodClaims(),
          (input) => createHmac('sha256', SECRET).update(input).digest('base64url'),
        ),
      )
    await expectGenericRefusal(hsApp, token)
  })
})

describe('RS256 gateway (AUTH_JWT_PUBLIC_KEY is an RSA key)', () => {
  const rsClaims = (): Claims => ({ sub: 'user-a', exp: now() + 300, iss: ISSUER })

  it('accepts RS256 signed by the matching private key', async () => {
    expect((await whoami(rsApp, bearer(await sign(rsClaims(), 'RS256', rsa.privateKey)))).status).toBe(200)
  })

  it('refuses HS256 signed with the public key as the HMAC secret (PEM or DER bytes): algorithm confusion', async () => {
    const pemBytes = Buffer.from(pem(rsa.publicKey))
    const derBytes = rsa.publicKey.export({ type: 'spki', format: 'der' })
    for (const secret of [pemBytes, derBytes, Buffer.from(pem(rsa.publicKey).trim())]) {
      await expectGenericRefusal(
        rsApp,
        handMade({ alg: 'HS256', typ: 'JWT' }, rsClaims(), (input) =>
          createHmac('sha256', secret).update(input).digest('base64url'),
        ),
      )
    }
  })

  it('refuses an HS256 token signed with the configured secret: the public key decides', async () => {
    await expectGenericRefusal(rsApp, await sign(rsClaims(), 'HS256', secretKey))
  })

  it('refuses alg none, RS384/PS256 under the same key, and a key the token brings itself (jwk, jku, kid)', async () => {
    await expectGenericRefusal(rsApp, new UnsecuredJWT(rsClaims() as Record<string, unknown>).encode())
    for (const alg of ['RS384', 'RS512', 'PS256']) {
      await expectGenericRefusal(rsApp, await sign(rsClaims(), alg, rsa.privateKey))
    }
    const attackerJwk = await exportJWK(otherRsa.publicKey)
    for (const header of [
      { jwk: attackerJwk },
      { jku: 'https://attacker.example/jwks.json', kid: 'attacker' },
      { kid: '../../../../dev/null' },
    ]) {
      await expectGenericRefusal(rsApp, await sign(rsClaims(), 'RS256', otherRsa.privateKey, header))
    }
  })

  it('refuses an expired token and one not valid yet', async () => {
    const expired = await whoami(
      rsApp,
      bearer(await sign({ ...rsClaims(), exp: now() - 1 }, 'RS256', rsa.privateKey)),
    )
    expectRefused(expired)
    await expectGenericRefusal(rsApp, await sign({ ...rsClaims(), nbf: now() + 60 }, 'RS256', rsa.privateKey))
    await expectGenericRefusal(
      rsApp,
      await sign({ ...rsClaims(), iss: 'someone-else' }, 'RS256', rsa.privateKey),
    )
  })
})

describe('ES256 gateway (AUTH_JWT_PUBLIC_KEY is a P-256 key)', () => {
  const esClaims = (): Claims => ({ sub: 'user-a', exp: now() + 300 })

  it('accepts ES256 only', async () => {
    expect((await whoami(esApp, bearer(await sign(esClaims(), 'ES256', ec.privateKey)))).status).toBe(200)
    await expectGenericRefusal(esApp, await sign(esClaims(), 'RS256', rsa.privateKey))
    const pemBytes = Buffer.from(pem(ec.publicKey))
    await expectGenericRefusal(
      esApp,
      handMade({ alg: 'HS256' }, esClaims(), (input) =>
        createHmac('sha256', pemBytes).update(input).digest('base64url'),
      ),
    )
    await expectGenericRefusal(esApp, new UnsecuredJWT(esClaims() as Record<string, unknown>).encode())
  })
})

describe('the Authorization header itself', () => {
  it('refuses other schemes, a bare "Bearer", extra parts and a token in the query string', async () => {
    const token = await sign(goodClaims(), 'HS256', secretKey)
    for (const authorization of [
      `Token ${token}`,
      `Basic ${token}`,
      'Bearer',
      'Bearer ',
      `Bearer ${token} extra`,
      token,
    ]) {
      expectRefused(await whoami(hsApp, { authorization }))
    }
    for (const query of [
      `access_token=${token}`,
      `token=${token}`,
      `jwt=${token}`,
      `authorization=Bearer%20${token}`,
    ]) {
      const response = await hsApp.inject({ method: 'GET', url: `/whoami?${query}` })
      expect(response.statusCode).toBe(401)
    }
  })

  it('does not fall back to the API key when the bearer token is refused', async () => {
    const { createHash } = await import('node:crypto')
    const app = await authApp({
      jwt: { secret: SECRET },
      opsApiKeyHashes: [createHash('sha256').update('ops-key').digest('hex')],
    })
    try {
      expectRefused(await whoami(app, { authorization: 'Bearer forged', 'x-api-key': 'ops-key' }))
      expect((await whoami(app, { 'x-api-key': 'ops-key' })).json.kind).toBe('operator')
    } finally {
      await app.close()
    }
  })
})
