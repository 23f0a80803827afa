import { Agent } from 'undici'
import type { SignedHeaders } from './webhooks.signing.js'
import { guardedLookup, refusedUrl, type UrlPolicy } from './webhooks.url-policy.js'

/** What one HTTP attempt to a merchant endpoint came to. */
export interface SendResult {
  /** The endpoint's status code; null when no answer came (refused, unreachable, timed out). */
  statusCode: number | null
  /** Why no answer came; never the body or a header of ours. */
  error: string | null
  /** The first bytes of the answer, for the operator. */
  responseExcerpt: string | null
  /** `Retry-After` of a 429 or 503, in seconds. */
  retryAfterSeconds: number | null
  durationMs: number
}

export interface WebhookSender {
  send(url: string, headers: SignedHeaders, body: string): Promise<SendResult>
  close(): Promise<void>
}

export const RESPONSE_EXCERPT_BYTES = 1024
const USER_AGENT = 'privy-gateway-webhooks/1'

/**
 * POSTs one webhook: one deadline over connect, headers and body, redirects never followed (a 3xx is a
 * failure), the answer read up to 1 KiB and the rest dropped, and every address checked against the URL
 * policy both as written and as resolved.
 */
export function createWebhookSender(options: UrlPolicy & { timeoutMs: number }): WebhookSender {
  const policy: UrlPolicy = { allowHttp: options.allowHttp }
  const agent = new Agent({
    connect: { timeout: Math.min(options.timeoutMs, 10_000), lookup: guardedLookup(policy) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
    connections: 16,
  })

  async function send(url: string, headers: SignedHeaders, body: string): Promise<SendResult> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const refused = refusedUrl(url, policy)
    if (refused) return failure(`the endpoint URL ${refused}`, elapsed())
    const signal = AbortSignal.timeout(options.timeoutMs)
    try {
      const response = await agent.request({
        origin: new URL(url).origin,
        path: pathOf(url),
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body,
        signal,
      })
      const excerpt = await readExcerpt(response.body)
      return {
        statusCode: response.statusCode,
        error: null,
        responseExcerpt: excerpt,
        retryAfterSeconds: retryAfter(response.statusCode, response.headers['retry-after']),
        durationMs: elapsed(),
      }
    } catch (error) {
      if (signal.aborted) return failure(`no answer within ${options.timeoutMs} ms`, elapsed())
      return failure(describe(error), elapsed())
    }
  }

  return { send, close: () => agent.close() }
}

function failure(error: string, durationMs: number): SendResult {
  return { statusCode: null, error, responseExcerpt: null, retryAfterSeconds: null, durationMs }
}

function pathOf(raw: string): string {
  const url = new URL(raw)
  return `${url.pathname}${url.search}`
}

/** Reads at most RESPONSE_EXCERPT_BYTES; leaving the loop early destroys the rest of the body. */
async function readExcerpt(body: AsyncIterable<Buffer>): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= RESPONSE_EXCERPT_BYTES) break
    }
  } catch {
    // A body cut short still leaves its status, which is what decides the attempt.
  }
  if (size === 0) return null
  const bytes = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES)
  // A multi-byte character cut at the limit becomes U+FFFD rather than an error; a NUL (a binary
  // answer) too, since PostgreSQL text cannot hold one and the attempt would go unrecorded.
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes).replaceAll('\u0000', '\uFFFD')
}

function retryAfter(status: number, header: string | string[] | undefined): number | null {
  if ((status !== 429 && status !== 503) || typeof header !== 'string') return null
  if (/^\d{1,9}$/.test(header.trim())) return Number(header.trim())
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

/** A transport failure in words an operator can act on, without the URL or any header. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code
  const codeText = typeof code === 'string' ? code : undefined
  switch (codeText) {
    case 'EWEBHOOKADDRESS':
      return error instanceof Error ? error.message : 'the endpoint host is not allowed'
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name did not resolve'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was reset'
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'could not connect in time'
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'no answer in time'
    default:
      if (codeText?.startsWith('ERR_TLS') || codeText?.includes('CERT')) return `TLS failed (${codeText})`
      return codeText ? `request failed (${codeText})` : 'request failed'
  }
}
