import { createHash } from 'node:crypto'

/**
 * What makes two requests "the same" under one Idempotency-Key: their parsed content, not their
 * bytes. A multipart retry has a new boundary and the same fields; key order in JSON does not
 * matter. Buffers (uploaded files) count by their SHA-256. The result is hashed with a key before it
 * is stored: it may hold a NIK or an OTP code.
 */
export function canonicalContent(parts: unknown[]): string {
  return canonical(parts)
}

function canonical(value: unknown): string {
  if (Buffer.isBuffer(value)) return `"sha256:${createHash('sha256').update(value).digest('hex')}"`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([name, child]) => `${JSON.stringify(name)}:${canonical(child)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}
