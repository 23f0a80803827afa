import { createHmac, randomBytes } from 'node:crypto'

/**
 * Standard Webhooks 1.0, symmetric: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key
 * being the base64 after `whsec_`. Written here rather than taken from the `standardwebhooks` package
 * so the gateway carries no runtime dependency for twenty lines; the tests check it against that package.
 */

const PREFIX = 'whsec_'
/** 32 bytes (256 bits): the spec asks for 24 to 64. */
const SECRET_BYTES = 32

export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(PREFIX)) return false
  const key = Buffer.from(value.slice(PREFIX.length), 'base64')
  return key.length >= 24 && key.length <= 64
}

export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64')
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')
  return `v1,${mac}`
}

export interface SignedHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

/**
 * The three headers of one attempt. Every secret still valid signs (newest first, space-separated), so a
 * receiver that has not yet switched to the rotated secret keeps verifying during the overlap.
 */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  sentAt: Date,
  body: string,
): SignedHeaders {
  if (secrets.length === 0) throw new Error('a webhook needs at least one signing secret')
  const timestamp = Math.floor(sentAt.getTime() / 1000)
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => webhookSignature(secret, id, timestamp, body)).join(' '),
  }
}
