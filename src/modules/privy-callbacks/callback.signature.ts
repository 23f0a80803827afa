import { AppError } from '../../errors/app-error.js'
import { type SigningCredentials, signatureMatches } from '../../privy/signing.js'

/** How far a callback's Timestamp may be from our clock: the contract's 5 minutes. */
export const CALLBACK_TOLERANCE_SECONDS = 300

/**
 * Verifies a Privy callback the way Privy signs it (contract §6: §2.3 over the whole body, with the
 * merchant's API key pair). A missing, stale or wrong signature applies nothing.
 */
export function verifyCallbackSignature(
  credentials: SigningCredentials,
  headers: { timestamp?: string; signature?: string },
  body: unknown,
  now: Date,
): void {
  const { timestamp, signature } = headers
  if (!timestamp || !signature) throw refused('The Timestamp and Signature headers are required')
  const sentAt = Date.parse(timestamp)
  if (Number.isNaN(sentAt)) throw refused('The Timestamp header is not an ISO-8601 date')
  if (Math.abs(now.getTime() - sentAt) > CALLBACK_TOLERANCE_SECONDS * 1000) {
    throw refused('The Timestamp is more than 5 minutes away from the gateway clock')
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw refused('The body must be a JSON object')
  if (!signatureMatches(credentials, timestamp, body as Record<string, unknown>, signature)) {
    throw refused('The Signature does not match')
  }
}

function refused(detail: string): AppError {
  return new AppError('UNAUTHENTICATED', { detail })
}
