import { clip, ERROR_MAX_CHARS } from './callback.parse.js'
import type { StoredCallbackRecord } from './callback.repository.js'
import type { StoredCallbackView } from './callback.schemas.js'

export function toStoredCallbackView(row: StoredCallbackRecord): StoredCallbackView {
  return {
    id: row.id,
    event: row.event,
    reference_number: row.referenceNumber,
    state: row.state,
    signature_valid: row.signatureValid,
    error: row.error,
    size_bytes: row.sizeBytes,
    attempts: row.attempts,
    received_at: row.receivedAt.toISOString(),
    processed_at: row.processedAt?.toISOString() ?? null,
  }
}

/**
 * The event and reference number, as the body says, for the operator's list: read leniently (also
 * from bodies that are rejected or malformed) and only when they look like what they claim to be.
 */
export function peek(raw: Buffer): { event: string | null; referenceNumber: string | null } {
  let body: unknown
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    return { event: null, referenceNumber: null }
  }
  const record =
    body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
  const data = record.data && typeof record.data === 'object' ? (record.data as Record<string, unknown>) : {}
  return { event: label(record.event, 32), referenceNumber: label(data.reference_number, 64) }
}

function label(value: unknown, max: number): string | null {
  // No whitespace or control characters: the list is read on operators' screens, and a padded
  // reference is not the reference it looks like.
  return typeof value === 'string' && value.length > 0 && value.length <= max && !/[\s\p{C}]/u.test(value)
    ? value
    : null
}

/** A failure's name and message, for the operator: never a stack. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return clip(String(error), ERROR_MAX_CHARS)
  const code = 'code' in error && typeof error.code === 'string' ? ` [${error.code}]` : ''
  return clip(`${error.name}${code}: ${error.message}`, ERROR_MAX_CHARS)
}
