import { createHmac, timingSafeEqual } from 'node:crypto'
import { bodyMd5, canonicalBody, type SigningCredentials, stringToSign } from '../../privy/index.js'

/** How far a callback's Timestamp may be from our clock: the contract's 5 minutes. */
export const CALLBACK_TOLERANCE_SECONDS = 300

export interface CallbackSignatureHeaders {
  timestamp?: string
  signature?: string
}

/**
 * A verified callback carries the canonical string its signature covers: that string, not the bytes,
 * is what the callback is (docs/privy-contract.md §2.3 strips every whitespace character and the top-level binary keys, so
 * bodies that differ only there carry one and the same signature).
 */
export type CallbackVerdict = { genuine: true; canonical: string } | { genuine: false; problem: string }

/**
 * Checks a Privy callback the way Privy signs it (docs/privy-contract.md §6: docs/privy-contract.md §2.3 over the whole body, with the
 * merchant's API key pair). A refusal's reason is stored and answered, so it never contains the
 * expected signature.
 *
 * docs/privy-contract.md §2.3 hashes the compact JSON with every whitespace character removed. The bytes Privy sent, minus
 * their whitespace, are exactly that string when Privy signs what it sends, whatever its JSON
 * library escapes (`\/`, `\u00e9`) or however it orders keys; parsing and re-serialising would change
 * those and break a genuine signature. Only when the bytes do not match is the JSON they parse to
 * tried (docs/privy-contract.md §2.3 as requests are signed), for a sender that signs its object, not its bytes. Both need
 * the merchant's api_secret, and whichever matches, its canonical string is the one Privy signed.
 */
export function verifyCallback(
  credentials: SigningCredentials,
  headers: CallbackSignatureHeaders,
  raw: Buffer,
  now: Date,
): CallbackVerdict {
  const refuse = (problem: string): CallbackVerdict => ({ genuine: false, problem })
  const { timestamp, signature } = headers
  if (!timestamp || !signature) return refuse('The Timestamp and Signature headers are required')
  const sentAt = Date.parse(timestamp)
  if (Number.isNaN(sentAt)) return refuse('The Timestamp header is not an ISO-8601 date')
  if (Math.abs(now.getTime() - sentAt) > CALLBACK_TOLERANCE_SECONDS * 1000) {
    return refuse('The Timestamp is more than 5 minutes away from the gateway clock')
  }
  const received = Buffer.from(signature, 'utf8')
  const ofBytes = canonicalOfBytes(raw)
  if (matches(signatureOfCanonical(credentials, timestamp, ofBytes), received)) {
    return { genuine: true, canonical: ofBytes }
  }
  const parsed = parseObject(raw)
  if (parsed) {
    const ofObject = canonicalBody(parsed)
    if (matches(signatureOfCanonical(credentials, timestamp, ofObject), received)) {
      return { genuine: true, canonical: ofObject }
    }
  }
  return refuse('The Signature does not match')
}

/** Null when the callback is genuine, else why not (see verifyCallback). */
export function callbackSignatureProblem(
  credentials: SigningCredentials,
  headers: CallbackSignatureHeaders,
  raw: Buffer,
  now: Date,
): string | null {
  const verdict = verifyCallback(credentials, headers, raw, now)
  return verdict.genuine ? null : verdict.problem
}

/** docs/privy-contract.md §2.3 step 2 over the bytes as sent: the whitespace goes, nothing else changes. */
export function canonicalOfBytes(raw: Buffer): string {
  return raw.toString('utf8').replace(/\s+/g, '')
}

/** docs/privy-contract.md §2.3 steps 2–6 over the bytes as sent. */
export function signatureOfBytes(credentials: SigningCredentials, timestamp: string, raw: Buffer): string {
  return signatureOfCanonical(credentials, timestamp, canonicalOfBytes(raw))
}

/** docs/privy-contract.md §2.3 steps 3–6 over a canonical string. */
function signatureOfCanonical(credentials: SigningCredentials, timestamp: string, canonical: string): string {
  const hmac = createHmac('sha256', credentials.apiSecret)
    .update(stringToSign(timestamp, credentials.apiKey, bodyMd5(canonical)), 'utf8')
    .digest('base64')
  return Buffer.from(`${credentials.apiKey}:${hmac}`, 'utf8').toString('base64')
}

function matches(expected: string, received: Buffer): boolean {
  const wanted = Buffer.from(expected, 'utf8')
  return wanted.length === received.length && timingSafeEqual(wanted, received)
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
