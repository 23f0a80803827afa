import { describe, expect, it } from 'vitest'
import { withRecordCache } from '../../src/lib/cached-repository.js'
import { withLazyToken } from '../../src/lib/privy-tokens.js'
import { RecordCache } from '../../src/lib/record-cache.js'

interface Row {
  id: string
  ownerId: string
  status: string
}

function clocked(options: { maxEntries: number; maxAgeMs: number }) {
  let now = 0
  const cache = new RecordCache<Row>({ ...options, now: () => now })
  cache.setActive(true)
  return { cache, advance: (ms: number) => (now += ms) }
}

const row = (id: string, status = 'pending'): Row => ({ id, ownerId: 'user:a', status })

describe('RecordCache', () => {
  it('keeps at most maxEntries rows, dropping the least recently used', () => {
    const { cache } = clocked({ maxEntries: 2, maxAgeMs: 60_000 })
    cache.set('a', row('a'), cache.begin())
    cache.set('b', row('b'), cache.begin())
    expect(cache.get('a')?.id).toBe('a') // a is now the most recently used
    cache.set('c', row('c'), cache.begin())
    expect(cache.size).toBe(2)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')?.id).toBe('a')
    expect(cache.get('c')?.id).toBe('c')
  })

  it('serves a row at most maxAgeMs after it was read', () => {
    const { cache, advance } = clocked({ maxEntries: 10, maxAgeMs: 1_000 })
    cache.set('a', row('a'), cache.begin())
    advance(1_000)
    expect(cache.get('a')?.id).toBe('a')
    advance(1)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('does not keep a row read before an eviction (the read may predate the write)', () => {
    const { cache } = clocked({ maxEntries: 10, maxAgeMs: 60_000 })
    const token = cache.begin()
    cache.evict('other')
    cache.set('a', row('a'), token)
    expect(cache.get('a')).toBeUndefined()
  })

  it('holds and serves nothing while inactive, and starts empty when activated again', () => {
    const { cache } = clocked({ maxEntries: 10, maxAgeMs: 60_000 })
    cache.set('a', row('a'), cache.begin())
    cache.setActive(false)
    expect(cache.get('a')).toBeUndefined()
    cache.set('b', row('b'), cache.begin())
    expect(cache.size).toBe(0)
    cache.setActive(true)
    expect(cache.size).toBe(0)
  })

  it('is off with maxEntries 0', () => {
    const cache = new RecordCache<Row>({ maxEntries: 0, maxAgeMs: 60_000 })
    cache.setActive(true)
    expect(cache.active).toBe(false)
  })
})

describe('withRecordCache', () => {
  function repository(rows: Map<string, Row>) {
    let reads = 0
    return {
      reads: () => reads,
      findVisible: async (id: string, ownerId?: string) => {
        reads += 1
        const found = rows.get(id)
        return found && (!ownerId || found.ownerId === ownerId) ? { ...found } : null
      },
      moveStatus: async (id: string, status: string) => {
        const found = rows.get(id)
        if (found) found.status = status
      },
    }
  }

  it('serves a repeated read from memory, checks the owner on it, and evicts on a write', async () => {
    const rows = new Map([['a', row('a')]])
    const base = repository(rows)
    const { cache } = clocked({ maxEntries: 10, maxAgeMs: 60_000 })
    const cached = withRecordCache(base, cache, (found, ownerId) => !ownerId || found.ownerId === ownerId)
    expect((await cached.findVisible('a', 'user:a'))?.status).toBe('pending')
    expect((await cached.findVisible('a', 'user:a'))?.status).toBe('pending')
    expect(base.reads()).toBe(1)
    // Another caller gets nothing, as from the query: no read needed to say so.
    expect(await cached.findVisible('a', 'user:b')).toBeNull()
    expect(base.reads()).toBe(1)
    await cached.moveStatus('a', 'verified')
    expect((await cached.findVisible('a', 'user:a'))?.status).toBe('verified')
    expect(base.reads()).toBe(2)
  })

  it('hands out frozen rows: a caller cannot change what others are served', async () => {
    const base = repository(new Map([['a', row('a')]]))
    const { cache } = clocked({ maxEntries: 10, maxAgeMs: 60_000 })
    const cached = withRecordCache(base, cache, () => true)
    const first = await cached.findVisible('a')
    expect(() => {
      ;(first as Row).status = 'verified'
    }).toThrow(TypeError)
  })

  it("opens a cached row's Privy token once, however often it is served, and again only for a new row", async () => {
    let opened = 0
    // As registration.records.ts builds a record: the token opened lazily, not enumerable.
    const base = {
      findVisible: async (id: string) =>
        withLazyToken(row(id), 'registerToken', () => {
          opened += 1
          return 'rt-secret'
        }),
      moveStatus: async () => {},
    }
    const { cache, advance } = clocked({ maxEntries: 10, maxAgeMs: 60_000 })
    const cached = withRecordCache(base, cache, () => true)
    for (let i = 0; i < 5; i++) expect((await cached.findVisible('a'))?.registerToken).toBe('rt-secret')
    expect(opened).toBe(1)
    // Frozen and shared, the row still never carries the opened token into a spread or a JSON body.
    const served = await cached.findVisible('a')
    expect(JSON.stringify(served)).not.toContain('rt-secret')
    expect(Object.keys({ ...served })).not.toContain('registerToken')
    // Evicted by a write, or past its age: the next read is a new row, opened once more.
    await cached.moveStatus()
    expect((await cached.findVisible('a'))?.registerToken).toBe('rt-secret')
    advance(60_001)
    expect((await cached.findVisible('a'))?.registerToken).toBe('rt-secret')
    expect(opened).toBe(3)
  })
})
