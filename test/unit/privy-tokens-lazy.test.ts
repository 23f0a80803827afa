import { describe, expect, it } from 'vitest'
import { withLazyToken } from '../../src/lib/privy-tokens.js'

/** A row whose token opener counts how often it ran. */
function lazyRow(id: string, token: string | null) {
  const opened: string[] = []
  const row = withLazyToken({ id, status: 'processing' }, 'registerToken', () => {
    opened.push(id)
    return token
  })
  return { row, opened }
}

describe('withLazyToken', () => {
  it('opens each row its own token, once, on first read and not before', () => {
    // One getter serves every row (docs: README, Benchmark): each must still answer its own token.
    const first = lazyRow('a', 'token-a')
    const second = lazyRow('b', 'token-b')
    const none = lazyRow('c', null)
    expect(first.opened).toEqual([])
    expect(second.row.registerToken).toBe('token-b')
    expect(first.row.registerToken).toBe('token-a')
    expect(first.row.registerToken).toBe('token-a')
    expect(none.row.registerToken).toBeNull()
    expect(none.row.registerToken).toBeNull()
    expect([first.opened, second.opened, none.opened]).toEqual([['a'], ['b'], ['c']])
  })

  it('never carries the token into a spread, JSON or the row keys, and opens on a frozen row', () => {
    const { row, opened } = lazyRow('a', 'token-a')
    Object.freeze(row)
    expect(Object.keys(row)).toEqual(['id', 'status'])
    expect(JSON.stringify(row)).toBe('{"id":"a","status":"processing"}')
    expect({ ...row }).toEqual({ id: 'a', status: 'processing' })
    expect(Object.getOwnPropertySymbols({ ...row })).toEqual([])
    expect(opened).toEqual([])
    expect(row.registerToken).toBe('token-a')
    expect(() => {
      ;(row as { registerToken: string | null }).registerToken = 'other'
    }).toThrow(TypeError)
    expect(row.registerToken).toBe('token-a')
  })
})
