import { describe, expect, it } from 'vitest'
import { releaseBytes } from '../../src/lib/release-bytes.js'

const MiB = 1_048_576

describe('releaseBytes', () => {
  it("gives a buffer's memory back at once, without waiting for a GC", () => {
    const bytes = Buffer.allocUnsafeSlow(8 * MiB).fill(1)
    const before = process.memoryUsage().arrayBuffers
    releaseBytes(bytes)
    expect(bytes.length).toBe(0)
    expect(bytes.buffer.byteLength).toBe(0)
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(8 * MiB)
  })

  it("leaves alone a view that shares its memory with others (a slice, Node's small-Buffer pool)", () => {
    const whole = Buffer.alloc(1024, 5)
    const slice = whole.subarray(0, 512)
    releaseBytes(slice)
    expect([slice.length, whole.length, whole[1023]]).toEqual([512, 1024, 5])
    const pooled = Buffer.from('a small buffer lives in a pool shared with others')
    const neighbour = Buffer.from('its neighbour')
    releaseBytes(pooled)
    expect(pooled.toString()).toBe('a small buffer lives in a pool shared with others')
    expect(neighbour.toString()).toBe('its neighbour')
  })

  it('does nothing to a buffer already released', () => {
    const bytes = Buffer.allocUnsafeSlow(1024)
    releaseBytes(bytes)
    expect(() => releaseBytes(bytes)).not.toThrow()
    expect(bytes.length).toBe(0)
  })
})
