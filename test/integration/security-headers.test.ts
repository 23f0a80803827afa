import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/config.js'
import { API_CSP, DOCS_CSP, parseDirectives } from '../../src/plugins/security.js'
import { TEST_API_KEY, type TestGateway, useGateway } from '../helpers/gateway.js'

/**
 * Security headers on every answer, Swagger UI's own CSP on /docs, HSTS only when the gateway
 * is published over HTTPS, and CORS only for the exact origins in CORS_ORIGINS.
 */

const APP_ORIGIN = 'https://app.example.co.id'
const DEV_ORIGIN = 'http://localhost:5173'

/** With CORS origins and an HTTPS public address. */
const published = useGateway({
  CORS_ORIGINS: `${APP_ORIGIN}, ${DEV_ORIGIN}`,
  PUBLIC_BASE_URL: 'https://gateway.example.co.id',
  BACKGROUND_JOBS_ENABLED: 'false',
})
/** The defaults: no CORS_ORIGINS, no PUBLIC_BASE_URL. */
const plain = useGateway({ BACKGROUND_JOBS_ENABLED: 'false' }, () => ({ simulator: published.simulator }))

type Headers = Record<string, string | string[] | undefined>

function expectSecurityHeaders(headers: Headers, csp = API_CSP) {
  expect(headers['x-content-type-options']).toBe('nosniff')
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['content-security-policy']).toBe(csp)
  expect(parseDirectives(String(headers['content-security-policy']))['frame-ancestors']).toEqual(["'none'"])
  expect(headers['referrer-policy']).toBe('no-referrer')
  expect(headers['cross-origin-opener-policy']).toBe('same-origin')
  expect(headers['cross-origin-resource-policy']).toBe('same-origin')
  expect(headers['x-powered-by']).toBeUndefined()
  expect(headers.server).toBeUndefined()
}

function corsHeadersOf(headers: Headers): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('access-control-'))
}

describe('security headers', () => {
  it('are on every kind of API answer: success, 401, 404, 400, 413 and the public routes', async () => {
    const token = await plain.userToken('headers-user')
    const answers = [
      await plain.call('GET', '/health/live'),
      await plain.call('GET', '/health/ready'),
      await plain.call('GET', '/openapi.json'),
      await plain.call('GET', '/v1/registrations', { token }),
      await plain.call('GET', '/v1/registrations'),
      await plain.call('GET', '/v1/nothing-here'),
      await plain.call('GET', '/v1/registrations?limit=-1', { token }),
      await plain.call('POST', '/v1/otp', {
        token,
        rawBody: '{"otp_type":',
        headers: { 'content-type': 'application/json' },
      }),
      await plain.call('POST', '/v1/otp', {
        token,
        rawBody: `{"pad":"${'x'.repeat(1024 * 1024)}"}`,
        headers: { 'content-type': 'application/json' },
      }),
      await plain.call('GET', '/v1/webhook-endpoints', { apiKey: TEST_API_KEY }),
      await plain.call('POST', '/v1/privy/callbacks', { body: { event: 'register' } }),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([
      200, 200, 200, 200, 401, 404, 400, 400, 413, 200, 401,
    ])
    for (const answer of answers) expectSecurityHeaders(answer.headers)
  })

  it('are on the router\u2019s own refusals too (a malformed URL, an overlong id), which are problems', async () => {
    const token = await published.userToken('headers-user')
    for (const [path, status, code] of [
      ['/v1/registrations/%E0%A4%A', 400, 'VALIDATION_FAILED'],
      [`/v1/registrations/${'x'.repeat(300)}`, 414, 'URI_TOO_LONG'],
    ] as const) {
      const answer = await published.call('GET', path, { token })
      expect(answer.status).toBe(status)
      expect(answer.headers['content-type']).toContain('application/problem+json')
      expect(answer.json).toMatchObject({ status, code, request_id: expect.any(String) })
      expect(answer.text).not.toContain('xxxxxxxx')
      expect(answer.text).not.toContain('FST_')
      expect(answer.headers['x-request-id']).toBe(answer.json.request_id)
      expect(answer.headers['x-content-type-options']).toBe('nosniff')
      expect(answer.headers['x-frame-options']).toBe('DENY')
      expect(answer.headers['content-security-policy']).toBe(API_CSP)
      expect(answer.headers['referrer-policy']).toBe('no-referrer')
      expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    }
  })

  it('sends HSTS only when the gateway is published over HTTPS (PUBLIC_BASE_URL)', async () => {
    const secure = await published.call('GET', '/health/live')
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    const unauthenticated = await published.call('GET', '/v1/documents')
    expect(unauthenticated.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    expect((await plain.call('GET', '/health/live')).headers['strict-transport-security']).toBeUndefined()
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://gateway.internal:3000' }).security.hsts).toBe(false)
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://gateway.example.co.id' }).security.hsts).toBe(true)
  })

  it('keeps answers with personal data out of shared caches; the signed PDF keeps its own policy', async () => {
    const token = await plain.userToken('cache-user')
    expect((await plain.call('GET', '/v1/registrations', { token })).headers['cache-control']).toBe(
      'no-store',
    )
    expect((await plain.call('GET', '/v1/documents')).headers['cache-control']).toBe('no-store')
  })
})

describe('Swagger UI at /docs', () => {
  it('loads its page and every asset under a CSP that allows exactly what the page uses', async () => {
    for (const path of ['/docs', '/docs/']) {
      const page = await plain.call('GET', path)
      expect(page.status).toBe(200)
      expect(page.headers['content-type']).toContain('text/html')
      expectSecurityHeaders(page.headers, DOCS_CSP)

      const directives = parseDirectives(DOCS_CSP)
      // No inline script: every <script> has a src, and scripts are same-origin only.
      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
      expect(scripts.length).toBeGreaterThan(0)
      for (const [, attributes = '', body = ''] of scripts) {
        expect(attributes).toMatch(/\bsrc="/)
        expect(body.trim()).toBe('')
      }
      expect(page.text).not.toMatch(/<style\b/i)
      expect(page.text).not.toMatch(/\son[a-z]+="/i)
      expect(directives['script-src']).toEqual(["'self'"])
      expect(directives['script-src-attr']).toEqual(["'none'"])
      expect(directives['object-src']).toEqual(["'none'"])

      const assets = [
        ...[...page.text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/gi)].map((match) => match[1] ?? ''),
        ...[...page.text.matchAll(/<link\b[^>]*\bhref="([^"]+)"/gi)].map((match) => match[1] ?? ''),
      ]
      expect(assets.length).toBeGreaterThanOrEqual(5)
      const base = new URL(path, plain.url)
      for (const asset of assets) {
        const url = new URL(asset, base)
        // 'self' covers it: same scheme, host and port as the page.
        expect(url.origin).toBe(plain.url)
        const response = await request(url)
        const body = await response.body.text()
        expect(response.statusCode, `${url}`).toBe(200)
        expect(response.headers['content-security-policy']).toBe(DOCS_CSP)
        expect(response.headers['x-content-type-options']).toBe('nosniff')
        if (url.pathname.endsWith('swagger-initializer.js')) {
          // The spec is fetched from ./json (connect-src 'self'); the validator badge would be another origin.
          expect(body).toContain("resolveUrl('./json')")
          expect(body).toMatch(/validatorUrl: null/)
          expect(directives['connect-src']).toEqual(["'self'"])
        }
        if (url.pathname.endsWith('.css')) expect(directives['style-src']).toContain("'self'")
        if (url.pathname.endsWith('.png')) expect(directives['img-src']).toContain("'self'")
      }
    }
    const spec = await plain.call('GET', '/docs/json')
    expect(spec.status).toBe(200)
    expect(spec.json.openapi).toBe('3.1.0')
    expect(spec.headers['content-security-policy']).toBe(DOCS_CSP)
  })

  it('is not framed, and the rest of the API keeps the strict policy', async () => {
    expect(parseDirectives(DOCS_CSP)['frame-ancestors']).toEqual(["'none'"])
    expect(parseDirectives(API_CSP)['default-src']).toEqual(["'none'"])
    expect((await plain.call('GET', '/openapi.json')).headers['content-security-policy']).toBe(API_CSP)
    expect((await plain.call('GET', '/documentation')).headers['content-security-policy']).toBe(API_CSP)
  })
})

describe('CORS', () => {
  const preflight = (gateway: TestGateway, origin: string, path = '/v1/registrations') =>
    gateway.call('OPTIONS', path, {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    })

  it('answers a preflight from a configured origin with exactly that origin and the allowed headers', async () => {
    for (const origin of [APP_ORIGIN, DEV_ORIGIN]) {
      const answer = await preflight(published, origin)
      expect(answer.status).toBe(204)
      expect(answer.headers['access-control-allow-origin']).toBe(origin)
      expect(String(answer.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(
        expect.arrayContaining(['GET', 'POST']),
      )
      expect(String(answer.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
      )
      expect(String(answer.headers['access-control-allow-headers'])).not.toContain('x-api-key')
      expect(answer.headers['access-control-max-age']).toBe('600')
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined()
      expect(String(answer.headers.vary)).toMatch(/origin/i)
    }
  })

  it('lets a configured origin read the answer and its request id, whatever its status', async () => {
    const token = await published.userToken('cors-user')
    for (const answer of [
      await published.call('GET', '/v1/registrations', { token, headers: { origin: APP_ORIGIN } }),
      await published.call('GET', '/v1/registrations', { headers: { origin: APP_ORIGIN } }),
    ]) {
      expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN)
      expect(String(answer.headers['access-control-expose-headers'])).toContain('x-request-id')
      expect(String(answer.headers.vary)).toMatch(/origin/i)
    }
  })

  it('gives another origin nothing: no CORS header, and its preflight is not answered', async () => {
    const token = await published.userToken('cors-user')
    for (const origin of [
      'https://evil.example',
      'https://app.example.co.id.evil.example',
      'null',
      `${APP_ORIGIN}:8443`,
    ]) {
      const answer = await preflight(published, origin)
      expect(answer.status).toBe(404)
      expect(answer.json.code).toBe('ROUTE_NOT_FOUND')
      expect(corsHeadersOf(answer.headers)).toEqual([])
      const read = await published.call('GET', '/v1/registrations', { token, headers: { origin } })
      expect(read.status).toBe(200)
      expect(corsHeadersOf(read.headers)).toEqual([])
    }
    // Server-to-server calls send no Origin: no CORS headers either.
    expect(corsHeadersOf((await published.call('GET', '/v1/registrations', { token })).headers)).toEqual([])
  })

  it('is off entirely without CORS_ORIGINS', async () => {
    const token = await plain.userToken('cors-user')
    const answer = await preflight(plain, APP_ORIGIN)
    expect(answer.status).toBe(404)
    expect(corsHeadersOf(answer.headers)).toEqual([])
    const read = await plain.call('GET', '/v1/registrations', { token, headers: { origin: APP_ORIGIN } })
    expect(read.status).toBe(200)
    expect(corsHeadersOf(read.headers)).toEqual([])
  })

  it('takes exact origins only', () => {
    expect(loadConfig({ CORS_ORIGINS: ` ${APP_ORIGIN} ,${DEV_ORIGIN},` }).security.corsOrigins).toEqual([
      APP_ORIGIN,
      DEV_ORIGIN,
    ])
    expect(loadConfig({}).security.corsOrigins).toEqual([])
    expect(loadConfig({ CORS_ORIGINS: '' }).security.corsOrigins).toEqual([])
    for (const wrong of [
      '*',
      `${APP_ORIGIN}/`,
      `${APP_ORIGIN}/app`,
      'app.example.co.id',
      'ftp://app.example.co.id',
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: wrong }), wrong).toThrow(ConfigError)
    }
  })
})
