import { describe, expect, it } from 'vitest'
import { verifiedTokenCache } from '../../src/plugins/verified-tokens.js'

describe('verified token cache', () => {
  it('answers a remembered token until the second of its exp, as jose counts it', () => {
    const cache = verifiedTokenCache<string>(10)
    cache.remember('token-a', 'alice', 1_000)
    expect(cache.get('token-a', 999_999)).toBe('alice')
    expect(cache.get('token-a', 1_000_000)).toBeUndefined()
    // Gone once expired: a later look-up does not bring it back.
    expect(cache.get('token-a', 999_000)).toBeUndefined()
  })

  it('knows only the very token that was verified', () => {
    const cache = verifiedTokenCache<string>(10)
    cache.remember('token-a', 'alice', 2_000)
    expect(cache.get('token-b', 1_000_000)).toBeUndefined()
    expect(cache.get('token-a ', 1_000_000)).toBeUndefined()
  })

  it('holds at most its bound, dropping the oldest first', () => {
    const cache = verifiedTokenCache<number>(3)
    for (let index = 0; index < 5; index++) cache.remember(`token-${index}`, index, 2_000)
    expect(cache.get('token-0', 0)).toBeUndefined()
    expect(cache.get('token-1', 0)).toBeUndefined()
    expect([2, 3, 4].map((index) => cache.get(`token-${index}`, 0))).toEqual([2, 3, 4])
  })
})
