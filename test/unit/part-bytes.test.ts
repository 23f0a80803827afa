import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { declaredLength, PartBytes } from '../../src/http/part-bytes.js'
import { ownsItsMemory, releaseBytes } from '../../src/lib/release-bytes.js'

const KiB = 1024
const MiB = 1_048_576
const CAP = 2 * MiB
/** What a form adds around its file: boundaries, part headers, the metadata. */
const FORM_OVERHEAD = 700

/** `total` bytes of random content, cut into socket-sized chunks (the last one shorter). */
function chunksOf(total: number, chunkBytes = 64 * KiB): { whole: Buffer; chunks: Buffer[] } {
  const whole = randomBytes(total)
  const chunks: Buffer[] = []
  for (let at = 0; at < total; at += chunkBytes) chunks.push(whole.subarray(at, at + chunkBytes))
  return { whole, chunks }
}

/** Pushes every chunk, recording the largest allocation seen on the way. */
function collect(bytes: PartBytes, chunks: Buffer[]): { file: Buffer; largest: number } {
  let largest = 0
  for (const chunk of chunks) {
    bytes.push(chunk)
    largest = Math.max(largest, bytes.capacity)
  }
  return { file: bytes.finish(), largest }
}

describe('PartBytes', () => {
  it('takes an honest Content-Length as its one buffer: the file is copied in once, never joined', () => {
    const { whole, chunks } = chunksOf(5 * MiB + 123)
    const declared = whole.length + FORM_OVERHEAD
    const bytes = new PartBytes(10 * MiB, declared)
    const { file, largest } = collect(bytes, chunks)
    expect(file.equals(whole)).toBe(true)
    // One allocation of the declared size, from the first chunk to the last.
    expect(largest).toBe(declared)
    expect(file.buffer.byteLength).toBe(declared)
    // The file fills only the start of it, and still counts as its own memory (moved and freed whole).
    expect(ownsItsMemory(file)).toBe(true)
  })

  it('grows by doubling when no length is declared (a chunked body), from 64 KiB up', () => {
    const { whole, chunks } = chunksOf(700 * KiB, 10 * KiB)
    const bytes = new PartBytes(CAP)
    const seen = new Set<number>()
    for (const chunk of chunks) {
      bytes.push(chunk)
      seen.add(bytes.capacity)
    }
    expect([...seen]).toEqual([64, 128, 256, 512, 1024].map((n) => n * KiB))
    const file = bytes.finish()
    expect(file.equals(whole)).toBe(true)
    expect(ownsItsMemory(file)).toBe(true)
  })

  it('grows past a Content-Length that declared less than the file', () => {
    const { whole, chunks } = chunksOf(300 * KiB)
    const bytes = new PartBytes(CAP, 1000)
    const { file, largest } = collect(bytes, chunks)
    expect(file.equals(whole)).toBe(true)
    expect(largest).toBeLessThanOrEqual(2 * whole.length)
  })

  it('allocates no more than the cap for a Content-Length far above it, and keeps only the file', () => {
    const { whole, chunks } = chunksOf(10 * KiB)
    const bytes = new PartBytes(CAP, 50 * 1024 * MiB)
    const { file, largest } = collect(bytes, chunks)
    expect(largest).toBe(CAP)
    expect(file.equals(whole)).toBe(true)
    // Far less than half of the buffer used: copied out into memory of the file's own size.
    expect(file.buffer.byteLength).toBe(whole.length)
    expect(ownsItsMemory(file)).toBe(true)
  })

  it('holds a file exactly at the cap in a buffer exactly the cap, whatever the declaration', () => {
    for (const declared of [undefined, 1000, CAP + FORM_OVERHEAD, 50 * 1024 * MiB]) {
      const { whole, chunks } = chunksOf(CAP)
      const { file, largest } = collect(new PartBytes(CAP, declared), chunks)
      expect(file.equals(whole)).toBe(true)
      expect(largest).toBe(CAP)
      expect(file.buffer.byteLength).toBe(CAP)
    }
  })

  it('refuses a byte over the cap without growing past it', () => {
    const { chunks } = chunksOf(CAP)
    const bytes = new PartBytes(CAP, CAP + FORM_OVERHEAD)
    for (const chunk of chunks) bytes.push(chunk)
    expect(() => bytes.push(Buffer.from([1]))).toThrow(RangeError)
    expect(bytes.capacity).toBe(CAP)
    expect(bytes.length).toBe(CAP)
  })

  it('gives its memory back at once when discarded', () => {
    const bytes = new PartBytes(16 * MiB, 16 * MiB)
    bytes.push(Buffer.alloc(64 * KiB, 1))
    const before = process.memoryUsage().arrayBuffers
    bytes.discard()
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(16 * MiB)
    expect(bytes.capacity).toBe(0)
  })

  it('is released whole once done with, though the file fills only its start', () => {
    const bytes = new PartBytes(8 * MiB, 8 * MiB)
    bytes.push(randomBytes(6 * MiB))
    const file = bytes.finish()
    expect(file.buffer.byteLength).toBe(8 * MiB)
    const before = process.memoryUsage().arrayBuffers
    releaseBytes(file)
    expect(file.length).toBe(0)
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(8 * MiB)
  })
})

describe('declaredLength', () => {
  it.each([
    ['5242880', 5_242_880],
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['-1', undefined],
    ['12abc', undefined],
    ['1e400', undefined],
    ['99999999999999999999', undefined],
  ])('reads Content-Length %j as %j', (header, expected) => {
    expect(declaredLength({ 'content-length': header })).toBe(expected)
  })
})
