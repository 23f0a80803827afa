import { hash } from 'node:crypto'

/**
 * Bearer tokens already verified, remembered until their `exp` (README, Benchmark: verifying the same token
 * on every poll was an eighth of a status read's CPU). Keyed by the token's SHA-256, so an entry is a
 * few dozen bytes whatever the token's size, and only the very token that passed every check hits.
 * Bounded: past `maxEntries` the oldest entry goes. What verification decided cannot change before
 * `exp` (signature, issuer, audience, subject, and `nbf`, which was already past); expiry is checked
 * on every hit, to the second as jose does, and an expired token is verified again to get its answer.
 */
export interface VerifiedTokens<T> {
  get(token: string, nowMs: number): T | undefined
  remember(token: string, value: T, expSeconds: number): void
}

export function verifiedTokenCache<T>(maxEntries: number): VerifiedTokens<T> {
  const entries = new Map<string, { value: T; expSeconds: number }>()
  // One-shot: a Hash object per request cost three times the digest.
  const keyOf = (token: string) => hash('sha256', token, 'base64')
  return {
    get(token, nowMs) {
      const key = keyOf(token)
      const entry = entries.get(key)
      if (!entry) return undefined
      if (Math.floor(nowMs / 1000) >= entry.expSeconds) {
        entries.delete(key)
        return undefined
      }
      return entry.value
    },
    remember(token, value, expSeconds) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
      entries.set(keyOf(token), { value, expSeconds })
    },
  }
}
