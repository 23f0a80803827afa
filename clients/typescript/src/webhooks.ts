import type { DocumentStatus, Registration, RegistrationStatus } from './types.js'

/**
 * Verifies a webhook from the gateway the way Standard Webhooks 1.0 defines it: `webhook-signature`
 * holds one or more `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{raw body}`, keyed
 * with the base64 after `whsec_`; the timestamp must be within the tolerance of now.
 *
 * Written on WebCrypto rather than on the `standardwebhooks` package: no dependency, the same code
 * runs in Node, Deno, Bun and edge workers, and `crypto.subtle.verify` compares in constant time.
 * The tests check it both ways against that package.
 */

export interface RegistrationEventData {
  id: string
  reference_number: string
  registration_type: Registration['registration_type']
  status: RegistrationStatus
  /** `submitted`, or `unknown` while the gateway does not yet know whether Privy took it. */
  submission: 'submitted' | 'unknown'
  privy_id: string | null
  reject_code: string | null
  can_resend: boolean
  updated_at: string
}

export interface DocumentEventData {
  id: string
  reference_number: string
  status: DocumentStatus
  submission: 'submitted' | 'unknown'
  signers: Array<{ privy_id: string; role: string; status: string; signed_at: string | null }>
  updated_at: string
}

/** What a webhook carries: ids and statuses only, never personal data. */
export type WebhookEvent =
  | { type: 'registration.updated'; timestamp: string; data: RegistrationEventData }
  | { type: 'document.updated'; timestamp: string; data: DocumentEventData }

/** A verified webhook: the event, and its `webhook-id` (the same on every retry: deduplicate on it). */
export type VerifiedWebhook = WebhookEvent & { id: string }

export type WebhookHeaders =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null }

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (default 300 s, as the spec suggests). */
  toleranceSeconds?: number
  now?: () => Date
}

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError'
}

const encoder = new TextEncoder()

/**
 * Returns the verified event, or throws WebhookVerificationError. `secret` may be several (during a
 * rotation on the receiver's side); `body` must be the raw bytes as received, not re-serialised JSON.
 */
export async function verifyWebhook(
  secret: string | readonly string[],
  body: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  options: VerifyOptions = {},
): Promise<VerifiedWebhook> {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook headers')
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp')
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000)
  const tolerance = options.toleranceSeconds ?? 300
  const sentAt = Number(timestamp)
  if (sentAt < now - tolerance) throw new WebhookVerificationError('webhook-timestamp is too old')
  if (sentAt > now + tolerance) throw new WebhookVerificationError('webhook-timestamp is in the future')

  const bytes = typeof body === 'string' ? encoder.encode(body) : new Uint8Array(body)
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), bytes)
  const candidates = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => decodeBase64(entry.slice(3)))
    .filter((mac): mac is Uint8Array<ArrayBuffer> => mac !== undefined)
    // Rotation needs two or three; a header stuffed with hundreds must not cost hundreds of HMACs.
    .slice(0, 8)
  for (const one of typeof secret === 'string' ? [secret] : secret) {
    const key = await hmacKey(one)
    for (const mac of candidates) {
      if (await crypto.subtle.verify('HMAC', key, mac, signed)) return parse(id, bytes)
    }
  }
  throw new WebhookVerificationError('no matching signature')
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined
  }
  const record = headers as Record<string, string | string[] | undefined>
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value.join(' ') : value
}

/** The key's type is left to inference: Node's typings and the DOM's name it differently. */
async function hmacKey(secret: string) {
  const raw = decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret)
  if (raw === undefined || raw.length === 0) throw new WebhookVerificationError('the secret is not base64')
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index)
    return bytes
  } catch {
    return undefined
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a)
  joined.set(b, a.length)
  return joined
}

function parse(id: string, bytes: Uint8Array): VerifiedWebhook {
  try {
    return { ...(JSON.parse(new TextDecoder().decode(bytes)) as WebhookEvent), id }
  } catch {
    throw new WebhookVerificationError('the body is not JSON')
  }
}
