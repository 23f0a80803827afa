import type { TagHit } from './jobs.js'

/** A text item as pdf.js's getTextContent gives it: a run of text drawn with one font and matrix. */
export interface TextRun {
  str: string
  /** Text space to user space: [a b c d e f]; (e, f) is the run's origin on its baseline. */
  transform: number[]
  /** Advance of the whole run in user space units, along its direction. */
  width: number
  /** Font size in user space units (the run's height above its baseline). */
  height: number
}

/** Maps user space (PDF points, origin bottom-left) to the visible page (points, origin top-left). */
export type ToVisible = (x: number, y: number) => [number, number]

interface Placed {
  run: TextRun
  /** Unit vector of the run's direction and its up vector, in user space. */
  dx: number
  dy: number
  /** Position of the origin along the direction and across it (distance from the baseline). */
  along: number
  across: number
}

/** Two runs are on one line when their baselines are closer than this part of the font size. */
const SAME_LINE = 0.5

/**
 * Finds every occurrence of each tag on one page. The runs are put in reading order first (grouped into
 * lines by direction and baseline, lines top to bottom, runs left to right along each line), joined with
 * nothing between runs of a line and a line break between lines, so a tag drawn in several operators or
 * split across runs is found, and never one that spans two lines. A hit's box covers its characters: runs
 * wholly inside it exactly, a run it shares with other text in proportion to the characters (pdf.js does
 * not report glyph positions). The box is then turned into the visible page's frame.
 */
export function findTags(
  runs: readonly TextRun[],
  tags: readonly string[],
  page: number,
  toVisible: ToVisible,
) {
  const lines = readingOrder(runs)
  let text = ''
  /** For each character of `text`: its run and index in the run (or none, for a line break). */
  const owners: Array<{ placed: Placed; index: number } | undefined> = []
  for (const line of lines) {
    for (const placed of line) {
      for (let index = 0; index < placed.run.str.length; index += 1) owners.push({ placed, index })
      text += placed.run.str
    }
    text += '\n'
    owners.push(undefined)
  }
  const hits: TagHit[] = []
  for (const tag of tags) {
    if (tag.length === 0) continue
    for (let at = text.indexOf(tag); at >= 0; at = text.indexOf(tag, at + tag.length)) {
      const box = hitBox(owners.slice(at, at + tag.length), toVisible)
      if (box) hits.push({ tag, page, ...box })
    }
  }
  return hits
}

function readingOrder(runs: readonly TextRun[]): Placed[][] {
  const placed: Placed[] = []
  for (const run of runs) {
    if (run.str.length === 0) continue
    const [a = 1, b = 0, , , e = 0, f = 0] = run.transform
    const scale = Math.hypot(a, b) || 1
    const dx = a / scale
    const dy = b / scale
    placed.push({ run, dx, dy, along: e * dx + f * dy, across: -e * dy + f * dx })
  }
  // Same direction (to a degree), then top line first, then along the line.
  const angle = (p: Placed) => Math.round((Math.atan2(p.dy, p.dx) * 180) / Math.PI)
  placed.sort((p, q) => angle(p) - angle(q) || q.across - p.across || p.along - q.along)
  const lines: Placed[][] = []
  for (const item of placed) {
    const line = lines.at(-1)
    const first = line?.[0]
    const tolerance = Math.max(item.run.height, first?.run.height ?? 0, 1) * SAME_LINE
    if (line && first && angle(first) === angle(item) && Math.abs(first.across - item.across) <= tolerance) {
      line.push(item)
    } else {
      lines.push([item])
    }
  }
  for (const line of lines) line.sort((p, q) => p.along - q.along)
  return lines
}

function hitBox(
  owners: Array<{ placed: Placed; index: number } | undefined>,
  toVisible: ToVisible,
): Omit<TagHit, 'tag' | 'page'> | undefined {
  const corners: Array<[number, number]> = []
  for (const owner of owners) {
    if (!owner) return undefined
    const { run, dx, dy } = owner.placed
    const [, , , , e = 0, f = 0] = run.transform
    const step = run.width / run.str.length
    const start = step * owner.index
    const end = start + step
    // Up is the direction turned a quarter left; the run's height stands on its baseline.
    const ux = -dy * run.height
    const uy = dx * run.height
    for (const distance of [start, end]) {
      const bx = e + dx * distance
      const by = f + dy * distance
      corners.push(toVisible(bx, by), toVisible(bx + ux, by + uy))
    }
  }
  if (corners.length === 0) return undefined
  const xs = corners.map(([x]) => x)
  const ys = corners.map(([, y]) => y)
  const left = Math.min(...xs)
  const top = Math.min(...ys)
  return {
    x: round(left),
    y: round(top),
    width: round(Math.max(...xs) - left),
    height: round(Math.max(...ys) - top),
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
