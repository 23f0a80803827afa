import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { checkDecodedSize, TextBudgetError } from '../../src/pdf-worker/text-budget.js'

/** A file of raw stream objects (no need for a whole PDF: the scan reads only streams). */
function file(...streams: Array<[string, Buffer]>): Buffer {
  const parts = streams.flatMap(([dictionary, data], index) => [
    Buffer.from(`${index + 1} 0 obj\n<< /Length ${data.length} ${dictionary} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ])
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), ...parts, Buffer.from('%%EOF\n')])
}

const spaces = (bytes: number) => deflateSync(Buffer.alloc(bytes, 0x20))

describe('checkDecodedSize', () => {
  it('adds up what every Flate stream inflates to and refuses past the budget', () => {
    const two = file(['/Filter /FlateDecode', spaces(600)], ['/Filter [/FlateDecode]', spaces(600)])
    expect(() => checkDecodedSize(two, 1_200)).not.toThrow()
    expect(() => checkDecodedSize(two, 1_199)).toThrow(TextBudgetError)
  })

  it('inflates every stage of a stream compressed twice', () => {
    const twice = file(['/Filter [/FlateDecode /Fl]', deflateSync(spaces(5_000))])
    expect(() => checkDecodedSize(twice, 4_999)).toThrow(/expands to more than/)
    expect(() => checkDecodedSize(twice, 5_000)).not.toThrow()
  })

  it('skips images, counts plain streams as they are, and a damaged stream for what inflates', () => {
    const image = file(['/Subtype /Image /Filter /FlateDecode', spaces(10_000)])
    expect(() => checkDecodedSize(image, 10)).not.toThrow()
    const plain = file(['', Buffer.alloc(100, 0x41)])
    expect(() => checkDecodedSize(plain, 99)).toThrow(TextBudgetError)
    const damaged = file(['/Filter /FlateDecode', Buffer.from('not zlib at all')])
    expect(() => checkDecodedSize(damaged, 10)).not.toThrow()
  })

  it('refuses what it cannot measure: LZW, RunLength, a filter given by reference', () => {
    expect(() => checkDecodedSize(file(['/Filter /LZWDecode', Buffer.from('x')]))).toThrow(/LZWDecode/)
    expect(() => checkDecodedSize(file(['/Filter [/A85 /RL]', Buffer.from('x')]))).toThrow(/RL/)
    expect(() => checkDecodedSize(file(['/Filter 9 0 R', Buffer.from('x')]))).toThrow(/cannot be measured/)
  })
})
