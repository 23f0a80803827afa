import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { base64IntoJson } from '../../src/privy/upload-body.js'

const SLOT = '"file":""'
const JSON_TEXT = '{"name":"a.pdf","doc":{"file":"","n":"ü"},"z":1}'

async function read(body: ReturnType<typeof base64IntoJson>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body.open()) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe('base64IntoJson: the upload body, encoded while it is sent', () => {
  // Around the 48 KiB chunk (3 × 16 KiB) and the 3-byte groups: a misaligned chunk would pad mid-text.
  const chunk = 3 * 16 * 1024
  for (const size of [0, 1, 2, 3, 4, chunk - 1, chunk, chunk + 1, 3 * chunk + 2]) {
    it(`is exactly the JSON with the data URL of ${size} bytes, of the announced length`, async () => {
      const binary = randomBytes(size)
      const body = base64IntoJson(JSON_TEXT, SLOT, 'data:x;base64,', binary)
      const expected = JSON_TEXT.replace(SLOT, `"file":"data:x;base64,${binary.toString('base64')}"`)
      const sent = await read(body)
      expect(sent.toString('utf8')).toBe(expected)
      expect(body.byteLength).toBe(Buffer.byteLength(expected))
      expect(JSON.parse(sent.toString('utf8')).doc.n).toBe('ü')
    })
  }

  it('starts over for every attempt (a re-send after a 401)', async () => {
    const body = base64IntoJson(JSON_TEXT, SLOT, '', randomBytes(2 * chunk + 7))
    const [first, second] = [await read(body), await read(body)]
    expect(second.equals(first)).toBe(true)
    expect(first.length).toBe(body.byteLength)
  })

  it('hands the socket one chunk at a time, not the whole body', async () => {
    const body = base64IntoJson(JSON_TEXT, SLOT, '', randomBytes(10 * chunk))
    let largest = 0
    for await (const piece of body.open()) largest = Math.max(largest, (piece as Buffer).length)
    // A byte stream may join what it buffered (the JSON head with the first chunk), never much more.
    expect(largest).toBeLessThanOrEqual(2 * (chunk / 3) * 4)
    expect(body.byteLength).toBeGreaterThan(5 * largest)
  })

  it('refuses JSON without the empty slot', () => {
    expect(() => base64IntoJson('{"file":"x"}', SLOT, '', Buffer.alloc(3))).toThrow(/no empty/)
  })
})
