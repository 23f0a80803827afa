import { createHmac, hash, timingSafeEqual } from 'node:crypto'

/**
 * Request signing of the Privy docs/privy-contract.md §2.3. Shared by the client (which signs) and the
 * simulator (which verifies), so both derive the canonical string the same way.
 */

/** Top-level keys that carry large binaries and are left out of the signed body. */
export const UNSIGNED_BODY_KEYS: readonly string[] = [
  'document',
  'selfie',
  'identity',
  'ktp',
  'supporting_docs',
]

export interface SigningCredentials {
  apiKey: string
  apiSecret: string
}

/**
 * The string that is hashed: the body without its binary keys, serialised in insertion order
 * (JSON.stringify does not escape `/` or non-ASCII), then stripped of every whitespace character,
 * including spaces inside string values, because every known client does so.
 */
export function canonicalBody(body: Record<string, unknown>, json?: string): string {
  const signed: Record<string, unknown> = {}
  let leftOut = false
  for (const [key, value] of Object.entries(body)) {
    if (UNSIGNED_BODY_KEYS.includes(key)) leftOut = true
    else signed[key] = value
  }
  // `json` (JSON.stringify(body), when the caller has it) is the same text when no key was left out.
  return (json !== undefined && !leftOut ? json : JSON.stringify(signed)).replace(/\s+/g, '')
}

export function bodyMd5(canonical: string): string {
  // One-shot: a Hash object per call costs twice the digest of a status call's body.
  return hash('md5', canonical, 'base64')
}

export function stringToSign(timestamp: string, apiKey: string, md5: string): string {
  return `${timestamp}:${apiKey}:POST:${md5}`
}

export function signatureFor(
  credentials: SigningCredentials,
  timestamp: string,
  body: Record<string, unknown>,
): string {
  return signatureOfMd5(credentials, timestamp, bodyMd5(canonicalBody(body)))
}

/** The Signature of a body whose `bodyMd5` is known: a call re-signs each attempt, hashing its body once. */
export function signatureOfMd5(credentials: SigningCredentials, timestamp: string, md5: string): string {
  const hmac = createHmac('sha256', credentials.apiSecret)
    .update(stringToSign(timestamp, credentials.apiKey, md5), 'utf8')
    .digest('base64')
  return Buffer.from(`${credentials.apiKey}:${hmac}`, 'utf8').toString('base64')
}

/** Constant-time comparison of a received Signature header with the expected one. */
export function signatureMatches(
  credentials: SigningCredentials,
  timestamp: string,
  body: Record<string, unknown>,
  received: string,
): boolean {
  const expected = Buffer.from(signatureFor(credentials, timestamp, body), 'utf8')
  const actual = Buffer.from(received, 'utf8')
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** ISO-8601 with the +07:00 offset of Jakarta, as the contract's clients send it. */
export function privyTimestamp(date: Date): string {
  const second = Math.floor(date.getTime() / 1000)
  // To the second: every call within one second signs with the same text, formatted once.
  if (second !== lastTimestamp.second) {
    const jakarta = new Date((second + 7 * 60 * 60) * 1000)
    lastTimestamp = { second, text: `${jakarta.toISOString().slice(0, 19)}+07:00` }
  }
  return lastTimestamp.text
}
let lastTimestamp = { second: Number.NaN, text: '' }
