import cors from '@fastify/cors'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.js'

/**
 * The Content-Security-Policy of every API answer: JSON is never a document, so it may load, run,
 * frame or submit nothing (OWASP REST Security Cheat Sheet).
 */
export const API_CSP = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'"

/**
 * Swagger UI at /docs: its page, scripts, styles and the spec (`/docs/json`) are all same-origin, and
 * it has no inline script, so scripts stay `'self'` only. Its markdown and syntax highlighter write
 * `style="…"` attributes through innerHTML, which CSP counts as inline styles: allowed here, on /docs
 * only. Swagger UI's validator badge (validator.swagger.io) is off, so no other origin is named.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join(';')

/** Request headers a browser app may send cross-origin; X-API-Key is not one (operators are not browsers). */
const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-request-id']
/** Response headers such an app may read. */
const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'location', 'idempotent-replayed']

const HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600

export interface SecurityOptions {
  security: Config['security']
}

/**
 * Security headers on every answer and CORS for the configured origins only. Registered
 * before any route, so its hooks run first: a CORS preflight is answered before authentication
 * (browsers send no credentials on it), and problem answers (401, 404, 413, 503) carry the headers too.
 */
export const securityPlugin = fp(
  async (app, { security }: SecurityOptions) => {
    // The same headers on every answer: built once here and set in one call, not recomputed per
    // request (README, Benchmark). Before any other hook, so a 401 or a draining 503 carries them too.
    const headers = staticSecurityHeaders(security)
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers)
      done()
    })
    // A callback hook that reads the URL in place: no promise and no split string per answer.
    app.addHook('onSend', (request, reply, payload, done) => {
      const { url } = request
      // Answers carry personal data (masked or not): no shared cache keeps them. A route that chose
      // its own policy (the signed PDF) keeps it. (A path under /v1/ is a URL that starts so.)
      if (url.startsWith('/v1/')) {
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      } else if (isDocsPath(url)) {
        // Swagger UI's routes belong to @fastify/swagger-ui: its page gets the one policy it needs.
        reply.header('content-security-policy', DOCS_CSP)
      }
      done(null, payload)
    })

    const allowed = new Set(security.corsOrigins)
    // No origin configured, no CORS at all: not a header, and preflights are unknown routes (404).
    if (allowed.size === 0) return
    await app.register(cors, {
      // A function rather than the list: an origin not listed gets no CORS header and its preflight
      // is not answered (404), where the list form still answers 204 with the allowed methods.
      origin: (origin, callback) =>
        callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // Bearer tokens, never cookies: credentialed requests are not needed.
      credentials: false,
      maxAge: 600,
      strictPreflight: true,
    })
  },
  { name: 'security', fastify: '5.x' },
)

/** The URL's path (before any `?`) is `/docs` or under it. */
function isDocsPath(url: string): boolean {
  if (!url.startsWith('/docs')) return false
  const next = url.charAt(5)
  return next === '' || next === '/' || next === '?'
}

/**
 * Every answer's security headers: what helmet 8 sends with the settings this gateway chose (a CSP
 * for JSON that may load nothing, no framing, no referrer, same-origin resource and opener policies;
 * HSTS only when published over HTTPS), as one frozen object.
 */
export function staticSecurityHeaders(security: Config['security']): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': API_CSP,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(security.hsts
      ? { 'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains` }
      : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  })
}

/**
 * The headers that matter on an answer no hook sees: the router's own refusals (a malformed URL, an
 * overlong path segment) are sent before the security hook could run.
 */
export function essentialSecurityHeaders(security: Config['security']): Record<string, string> {
  return {
    'content-security-policy': API_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...(security.hsts
      ? { 'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains` }
      : {}),
  }
}

/** `"a 'x'; b 'y' 'z'"` → `{ a: ["'x'"], b: ["'y'", "'z'"] }`, helmet's form. */
export function parseDirectives(policy: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {}
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) directives[name] = values
  }
  return directives
}
