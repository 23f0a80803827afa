import { describe, expect, it } from 'vitest'
import { findTags, type TextRun } from '../../src/pdf-worker/text-match.js'

/** Upright A4 page: user space to the visible top-left frame. */
const upright = (x: number, y: number): [number, number] => [x, 842 - y]
const run = (str: string, x: number, y: number, width: number, size = 12): TextRun => ({
  str,
  transform: [size, 0, 0, size, x, y],
  width,
  height: size,
})

describe('findTags', () => {
  it('finds a tag split over two runs drawn out of order, its box spanning both', () => {
    const runs = [
      run('borrower}}', 140, 700, 50),
      run('Other line', 100, 600, 60),
      run('{{sign:', 100, 700, 40),
    ]
    expect(findTags(runs, ['{{sign:borrower}}'], 1, upright)).toEqual([
      { tag: '{{sign:borrower}}', page: 1, x: 100, y: 130, width: 90, height: 12 },
    ])
  })

  it('never matches across two lines, and finds each occurrence', () => {
    const runs = [run('{{a', 100, 700, 20), run('}}', 100, 680, 10), run('{{a}} {{a}}', 100, 500, 110)]
    const hits = findTags(runs, ['{{a}}'], 2, upright)
    expect(hits.map((hit) => [hit.page, hit.x, hit.y])).toEqual([
      [2, 100, 330],
      [2, 160, 330],
    ])
  })

  it('turns rotated text into the visible frame', () => {
    // Text running up the page (rotated 90°), a 1 pt white tag is just text too.
    const runs: TextRun[] = [{ str: '{{t}}', transform: [0, 1, -1, 0, 300, 100], width: 5, height: 1 }]
    const [hit] = findTags(runs, ['{{t}}'], 1, upright)
    expect(hit).toEqual({ tag: '{{t}}', page: 1, x: 299, y: 737, width: 1, height: 5 })
  })
})
