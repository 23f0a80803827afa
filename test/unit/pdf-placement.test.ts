import { describe, expect, it } from 'vitest'
import {
  checkPlacement,
  checkPlacements,
  eMeteraiStamp,
  type PdfInfo,
  type PdfPage,
  type Placement,
  PlacementSchema,
  signatureBox,
  toPoints,
} from '../../src/pdf/index.js'

function page(width: number, height: number, number = 1, rotation: PdfPage['rotation'] = 0): PdfPage {
  const turned = rotation === 90 || rotation === 270
  const media = turned ? { width: height, height: width } : { width, height }
  return { number, width, height, rotation, mediaBox: { x: 0, y: 0, ...media } }
}
const doc = (...pages: PdfPage[]): PdfInfo => ({ pageCount: pages.length, pages })

const A4 = page(595.28, 841.89)
const LETTER = page(612, 792)
/** An A4 page with /Rotate 90, as inspectPdf reports it: shown 841.89 wide. */
const A4_LANDSCAPE = page(841.89, 595.28, 1, 90)

const pt = (x: number, y: number, width = 120, height = 60, p = 1): Placement => ({
  page: p,
  x,
  y,
  width,
  height,
  unit: 'pt',
})
const percent = (x: number, y: number, width: number, height: number, p = 1): Placement => ({
  ...pt(x, y, width, height, p),
  unit: 'percent',
})
const PATH = 'signers.0.placements.1'

describe('toPoints', () => {
  it.each([
    ['the top-left corner', percent(0, 0, 20, 10), pt(0, 0, 119.06, 84.19)],
    ['the centre', percent(50, 50, 20.16, 7.13), pt(297.64, 420.95, 120.01, 60.03)],
    ['the bottom-right corner', percent(79.84, 92.87, 20.16, 7.13), pt(475.27, 781.86, 120.01, 60.03)],
  ])('places %s of an A4 page at the same points in pt and in percent', (_spot, inPercent, inPoints) => {
    expect(toPoints(inPercent, A4)).toEqual(toPoints(inPoints, A4))
  })

  it('rounds to 0.01 pt, half up', () => {
    // 1.005 is 1.00499999... as a double: half-up must still give 1.01.
    expect(toPoints(pt(10.004, 1.005, 120.123456, 60), A4)).toMatchObject({ x: 10, y: 1.01, width: 120.12 })
  })

  it('measures percent against the visible (rotated) size', () => {
    expect(toPoints(percent(50, 50, 10, 10), A4_LANDSCAPE)).toEqual({
      page: 1,
      x: 420.95,
      y: 297.64,
      width: 84.19,
      height: 59.53,
    })
  })

  it('gives the same points for the same spot in pt and in percent, on any page (property)', () => {
    const random = seeded(20261125)
    for (let run = 0; run < 2_000; run++) {
      const target = page(hundredths(random, 72, 3000), hundredths(random, 72, 3000))
      // A spot in points (to 0.001 pt, so half-hundredths come up), then the same spot in exact percent.
      const width = thousandths(random, 1, target.width - 1)
      const height = thousandths(random, 1, target.height - 1)
      const x = thousandths(random, 0, target.width - width - 0.01)
      const inPoints = pt(x, thousandths(random, 0, target.height - height - 0.01), width, height)
      const inPercent = percent(
        (inPoints.x / target.width) * 100,
        (inPoints.y / target.height) * 100,
        (width / target.width) * 100,
        (height / target.height) * 100,
      )
      const fromPoints = toPoints(inPoints, target)
      expect(toPoints(inPercent, target), JSON.stringify({ target, inPoints })).toEqual(fromPoints)
      const verdict = (placement: Placement) =>
        checkPlacement(placement, doc(target), PATH, 'signature').length
      expect(verdict(inPercent)).toBe(verdict(inPoints))
    }
  })
})

describe('checkPlacement', () => {
  it('accepts a signature box that fits its page', () => {
    expect(checkPlacement(pt(400, 700), doc(A4), PATH, 'signature')).toEqual([])
    expect(checkPlacement(percent(0, 0, 100, 100), doc(A4), PATH, 'signature')).toEqual([])
  })

  it.each([
    [0, 'must be between 1 and 2 (the document has 2 pages)'],
    [3, 'must be between 1 and 2 (the document has 2 pages)'],
    [1.5, 'must be between 1 and 2 (the document has 2 pages)'],
  ])('refuses page %s', (p, message) => {
    expect(checkPlacement(pt(0, 0, 120, 60, p), doc(A4, LETTER), PATH, 'signature')).toEqual([
      { path: `${PATH}.page`, message },
    ])
  })

  it('says "1 page" for a one-page document', () => {
    expect(checkPlacement(pt(0, 0, 120, 60, 2), doc(A4), PATH, 'signature')[0]?.message).toBe(
      'must be between 1 and 1 (the document has 1 page)',
    )
  })

  it('names each bad number', () => {
    expect(checkPlacement(pt(-1, Number.NaN, 0, -5), doc(A4), PATH, 'signature')).toEqual([
      { path: `${PATH}.x`, message: 'must be 0 or more' },
      { path: `${PATH}.y`, message: 'must be 0 or more' },
      { path: `${PATH}.width`, message: 'must be more than 0' },
      { path: `${PATH}.height`, message: 'must be more than 0' },
    ])
    expect(checkPlacement(percent(101, 0, 20, 10), doc(A4), PATH, 'signature')).toEqual([
      { path: `${PATH}.x`, message: 'must be at most 100 (percent of the page)' },
    ])
  })

  it('catches a box laid out for US Letter on an A4 page, and the other way round', () => {
    const rightEdge = pt(480, 100) // ends at x = 600: inside Letter's 612, outside A4's 595.28
    const bottomEdge = pt(100, 750) // ends at y = 810: inside A4's 841.89, outside Letter's 792
    expect(checkPlacement(rightEdge, doc(LETTER), PATH, 'signature')).toEqual([])
    expect(checkPlacement(rightEdge, doc(A4), PATH, 'signature')).toEqual([
      { path: PATH, message: 'leaves page 1 (595.28 × 841.89 pt) on the right: it ends at x = 600 pt' },
    ])
    expect(checkPlacement(bottomEdge, doc(A4), PATH, 'signature')).toEqual([])
    expect(checkPlacement(bottomEdge, doc(LETTER), PATH, 'signature')).toEqual([
      { path: PATH, message: 'leaves page 1 (612 × 792 pt) at the bottom: it ends at y = 810 pt' },
    ])
  })

  it('reports both edges of a box off the bottom-right corner', () => {
    expect(checkPlacement(pt(500, 800), doc(A4), PATH, 'signature').map((error) => error.message)).toEqual([
      'leaves page 1 (595.28 × 841.89 pt) on the right: it ends at x = 620 pt',
      'leaves page 1 (595.28 × 841.89 pt) at the bottom: it ends at y = 860 pt',
    ])
  })

  it('checks against the page the box is on', () => {
    const landscapeSpot = pt(700, 500, 120, 60, 2)
    expect(checkPlacement(landscapeSpot, doc(A4, A4_LANDSCAPE), PATH, 'signature')).toEqual([])
    expect(checkPlacement(landscapeSpot, doc(A4, A4), PATH, 'signature')).toHaveLength(1)
  })

  it('uses the swapped size of a rotated page: x = 700 fits landscape A4, y = 700 does not', () => {
    expect(checkPlacement(pt(700, 500), doc(A4_LANDSCAPE), PATH, 'signature')).toEqual([])
    expect(checkPlacement(pt(100, 700), doc(A4_LANDSCAPE), PATH, 'signature')[0]?.message).toBe(
      'leaves page 1 (841.89 × 595.28 pt) at the bottom: it ends at y = 760 pt',
    )
  })

  it('tolerates 0.01 pt of rounding at an edge, and no more', () => {
    expect(checkPlacement(pt(475.29, 0), doc(A4), PATH, 'signature')).toEqual([])
    expect(checkPlacement(pt(475.3, 0), doc(A4), PATH, 'signature')).toHaveLength(1)
  })

  it('refuses a signature box smaller than the 120 × 60 pt Privy draws, saying so in points', () => {
    expect(checkPlacement(percent(10, 10, 10, 10), doc(A4), PATH, 'signature')).toEqual([
      {
        path: PATH,
        message: 'is 59.53 × 84.19 pt on page 1 (595.28 × 841.89 pt); a signature needs at least 120 × 60 pt',
      },
    ])
  })

  it('accepts a square e-Meterai in percent of a non-square page, and gives its dimension', () => {
    // 10% of the width and the same length in percent of the height: 59.53 pt both ways.
    const placement = percent(10, 10, 10, (10 * 595.28) / 841.89)
    expect(checkPlacement(placement, doc(A4), PATH, 'e_meterai')).toEqual([])
    expect(eMeteraiStamp(toPoints(placement, A4))).toEqual({ page: 1, x: 59.53, y: 84.19, dimension: 59.53 })
  })

  it('refuses an e-Meterai box that is not square within 1 pt, or smaller than 50 pt', () => {
    expect(checkPlacement(pt(10, 10, 80, 81), doc(A4), PATH, 'e_meterai')).toEqual([])
    expect(checkPlacement(percent(10, 10, 10, 10), doc(A4), PATH, 'e_meterai')).toEqual([
      {
        path: PATH,
        message: 'is 59.53 × 84.19 pt on page 1 (595.28 × 841.89 pt); an e-Meterai stamp is square',
      },
    ])
    expect(checkPlacement(pt(10, 10, 40, 40), doc(A4), PATH, 'e_meterai')).toEqual([
      { path: PATH, message: 'is 40 × 40 pt; an e-Meterai stamp needs at least 50 × 50 pt' },
    ])
  })
})

describe('checkPlacements and the boxes sent to Privy', () => {
  it('numbers each placement in its path', () => {
    const { errors } = checkPlacements(
      [pt(0, 0), pt(0, 0, 120, 60, 9)],
      doc(A4),
      'signers.2.placements',
      'signature',
    )
    expect(errors).toEqual([{ path: 'signers.2.placements.1.page', message: expect.any(String) }])
  })

  it('returns each placement in points, computed once for the checks and for Privy', () => {
    const placements = [pt(10, 20), percent(50, 50, 25, 10)]
    const { boxes, errors } = checkPlacements(placements, doc(A4), 'signers.0.placements', 'signature')
    expect(errors).toEqual([])
    expect(boxes).toEqual(placements.map((placement) => toPoints(placement, A4)))
  })

  it('draws the signature as 120 × 60 pt at the box top-left, whatever room was reserved', () => {
    expect(signatureBox(toPoints(pt(100, 200, 300, 150), A4))).toEqual({
      page: 1,
      x: 100,
      y: 200,
      width: 120,
      height: 60,
    })
  })

  it('validates the placement shape with PlacementSchema', () => {
    expect(PlacementSchema.safeParse(pt(1, 2)).success).toBe(true)
    expect(PlacementSchema.safeParse({ ...pt(1, 2), unit: 'mm' }).success).toBe(false)
    expect(PlacementSchema.safeParse({ ...pt(1, 2), page: 0 }).success).toBe(false)
  })
})

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A random value in [min, max] with two decimals. */
function hundredths(random: () => number, min: number, max: number): number {
  return Math.floor((min + random() * (max - min)) * 100) / 100
}

/** A random value in [min, max] with three decimals, half of them ending in 5. */
function thousandths(random: () => number, min: number, max: number): number {
  const value = Math.floor((min + random() * (max - min)) * 100) / 100
  return random() < 0.5 ? Number((value + 0.005).toFixed(3)) : value
}
