import { request } from 'undici'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'

/** Privy's callback headers for `body`, signed with the simulator's (and the test gateway's) key pair. */
export function signedHeaders(body: Record<string, unknown>, at = new Date()) {
  const timestamp = privyTimestamp(at)
  return { timestamp, signature: signatureFor(DEV_CREDENTIALS, timestamp, body) }
}

export interface CallbackAnswer {
  status: number
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any
}

/** POSTs bytes as they are to the gateway's callback URL; `from` is sent as X-Forwarded-For. */
export async function postCallbackBytes(
  gatewayUrl: string,
  raw: string | Buffer,
  headers: Record<string, string>,
  from?: string,
): Promise<CallbackAnswer> {
  const response = await request(`${gatewayUrl}/v1/privy/callbacks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...(from === undefined ? {} : { 'x-forwarded-for': from }),
    },
    body: raw,
  })
  const text = await response.body.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.statusCode, text, json }
}

/** POSTs `body` as JSON, signed as Privy signs its callbacks (the test gateway trusts the simulator's key). */
export function postSignedCallback(
  gatewayUrl: string,
  body: Record<string, unknown>,
): Promise<CallbackAnswer> {
  return postCallbackBytes(gatewayUrl, JSON.stringify(body), signedHeaders(body))
}

/** Whitespace §2.3 strips (JavaScript's `\s`): ASCII, NBSP, ideographic space, line separators... */
const PADDING = [' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\u2028', '\ufeff']

/**
 * `count` distinct bodies with the same canonical form as `body` (§2.3: whitespace removed): padded
 * between tokens, inside string values (JSON allows every one of these but the ASCII controls there,
 * so some are not JSON at all), and up to near the body limit. Each carries `body`'s signature.
 */
export function paddedVariants(body: Record<string, unknown>, count: number, maxBytes = 60_000): string[] {
  const compact = JSON.stringify(body)
  const variants = new Set<string>()
  for (let index = 0; variants.size < count; index += 1) {
    const pad = PADDING[index % PADDING.length] ?? ' '
    const width = 1 + (index % 7)
    let text: string
    switch (index % 4) {
      case 0:
        // Between tokens: pretty-printed, then a long tail of padding.
        text = `${JSON.stringify(body, null, width)}${' '.repeat(index * 150)}`
        break
      case 1: {
        // Inside one string value, at a position that moves.
        const quotes = [...compact.matchAll(/":"/g)].map((match) => (match.index ?? 0) + 3)
        const at = (quotes[index % quotes.length] ?? 1) + (index % 3)
        text = `${compact.slice(0, at)}${pad.repeat(width)}${compact.slice(at)}`
        break
      }
      case 2:
        // Around every comma and colon.
        text = compact.replaceAll(',', `${pad},${pad}`).replaceAll('":', `"${pad}:`)
        text = `${pad.repeat(index)}${text}`
        break
      default:
        // As big as the gateway takes.
        text = `${' '.repeat(Math.max(0, maxBytes - compact.length - index))}${compact}`
    }
    if (Buffer.byteLength(text) <= maxBytes) variants.add(text)
  }
  return [...variants]
}

/** On-disk size of the callback store and of the limit counters (tables, indexes, TOAST), in bytes. */
export async function callbackStoreBytes(
  prisma: PrismaClient,
): Promise<{ callbacks: number; counters: number }> {
  const [row] = await prisma.$queryRaw<Array<{ callbacks: bigint; counters: bigint }>>`
    SELECT pg_total_relation_size('privy_callbacks') AS callbacks,
           pg_total_relation_size('rate_limit_counters') AS counters`
  return { callbacks: Number(row?.callbacks ?? 0), counters: Number(row?.counters ?? 0) }
}

/** Runs `tasks` with at most `width` in flight. */
export async function inParallel<T>(width: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next
      next += 1
      results[index] = await (tasks[index] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker))
  return results
}
