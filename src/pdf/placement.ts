import { z } from 'zod'
import type { FieldError } from '../errors/app-error.js'
import type { PdfInfo } from './inspect.js'

/**
 * Where a merchant wants a signature or an e-Meterai stamp: a box on a 1-based page, measured from the
 * top-left corner of the page as a viewer shows it (after /Rotate, inside the CropBox), in PDF points
 * or in percent of that visible width (x, width) and height (y, height).
 */
export const PlacementSchema = z.object({
  page: z.int().min(1),
  x: z.number().min(0),
  y: z.number().min(0),
  width: z.number().positive(),
  height: z.number().positive(),
  unit: z.enum(['pt', 'percent']),
})
export type Placement = z.infer<typeof PlacementSchema>

/** A box in points from the top-left of the visible page, rounded to 2 decimals (1/7200 inch). */
export interface PointBox {
  page: number
  x: number
  y: number
  width: number
  height: number
}

export type PlacementKind = 'signature' | 'e_meterai'

/** Privy draws every signature as this box, its top-left corner at the placement's (x, y). */
export const SIGNATURE_BOX = { width: 120, height: 60 } as const
/** Smallest e-Meterai stamp accepted [chosen]: below ~1.8 cm its QR code stops scanning reliably. */
export const MIN_E_METERAI_DIMENSION = 50
/** An e-Meterai is square; a box may differ by this much from square, for percent rounding. */
export const E_METERAI_SQUARE_TOLERANCE = 1
/** Rounding slack: two values rounded to 0.01 pt may overshoot an edge by this much together. */
const EDGE_TOLERANCE = 0.01

/** Converts a placement to points on its page; `page` is the visible size from `inspectPdf`. */
export function toPoints(placement: Placement, page: { width: number; height: number }): PointBox {
  const scaleX = placement.unit === 'percent' ? page.width / 100 : 1
  const scaleY = placement.unit === 'percent' ? page.height / 100 : 1
  return {
    page: placement.page,
    x: roundPoints(placement.x * scaleX),
    y: roundPoints(placement.y * scaleY),
    width: roundPoints(placement.width * scaleX),
    height: roundPoints(placement.height * scaleY),
  }
}

/**
 * Checks one placement against the inspected PDF; `path` names it in the errors
 * (`signers.0.placements.1`). Returns every problem found, or none.
 *
 * Rules [chosen]:
 * - the page exists (1 to pageCount); x, y ≥ 0; width, height > 0; in percent, each at most 100;
 * - the box, in points, lies on its visible page (rounding slack 0.01 pt);
 * - signature: Privy's box is a fixed 120 × 60 pt drawn at (x, y), whatever size is asked for. The
 *   merchant's width × height is the room reserved for it and must be at least that, so the signature
 *   is never drawn over what lies next to a smaller box; (x, y) is sent to Privy as it is.
 * - e-Meterai: the stamp is `dimension` × `dimension` pt at (x, y), so the box must be square within
 *   1 pt (in percent that means width% × page width ≈ height% × page height) and at least 50 pt;
 *   `dimension` is the smaller side.
 */
export function checkPlacement(
  placement: Placement,
  pdf: PdfInfo,
  path: string,
  kind: PlacementKind,
): FieldError[] {
  return placementBox(placement, pdf, path, kind).errors
}

/** The placement in points on its page, with every problem found; `box` only when the page exists. */
function placementBox(
  placement: Placement,
  pdf: PdfInfo,
  path: string,
  kind: PlacementKind,
): { box?: PointBox; errors: FieldError[] } {
  const page = pdf.pages[placement.page - 1]
  if (!Number.isInteger(placement.page) || page === undefined) {
    const pages = pdf.pageCount === 1 ? '1 page' : `${pdf.pageCount} pages`
    const message = `must be between 1 and ${pdf.pageCount} (the document has ${pages})`
    return { errors: [{ path: `${path}.page`, message }] }
  }
  const errors = checkNumbers(placement, path)
  if (errors.length > 0) return { errors }

  const box = toPoints(placement, page)
  const where = `page ${box.page} (${fmt(page.width)} × ${fmt(page.height)} pt)`
  if (box.x + box.width > page.width + EDGE_TOLERANCE) {
    errors.push({
      path,
      message: `leaves ${where} on the right: it ends at x = ${fmt(box.x + box.width)} pt`,
    })
  }
  if (box.y + box.height > page.height + EDGE_TOLERANCE) {
    errors.push({
      path,
      message: `leaves ${where} at the bottom: it ends at y = ${fmt(box.y + box.height)} pt`,
    })
  }
  const size = `${fmt(box.width)} × ${fmt(box.height)} pt`
  if (kind === 'signature') {
    const { width, height } = SIGNATURE_BOX
    if (box.width < width - EDGE_TOLERANCE || box.height < height - EDGE_TOLERANCE) {
      errors.push({
        path,
        message: `is ${size} on ${where}; a signature needs at least ${width} × ${height} pt`,
      })
    }
  } else if (Math.abs(box.width - box.height) > E_METERAI_SQUARE_TOLERANCE) {
    errors.push({ path, message: `is ${size} on ${where}; an e-Meterai stamp is square` })
  } else if (Math.min(box.width, box.height) < MIN_E_METERAI_DIMENSION) {
    const min = MIN_E_METERAI_DIMENSION
    errors.push({ path, message: `is ${size}; an e-Meterai stamp needs at least ${min} × ${min} pt` })
  }
  return { box, errors }
}

/**
 * Checks each placement of a list, naming them `${path}.0`, `${path}.1`, ... When `errors` is empty,
 * `boxes` holds every placement in points, in order: computed once, for the checks and for Privy.
 */
export function checkPlacements(
  placements: readonly Placement[],
  pdf: PdfInfo,
  path: string,
  kind: PlacementKind,
): { boxes: PointBox[]; errors: FieldError[] } {
  const boxes: PointBox[] = []
  const errors: FieldError[] = []
  placements.forEach((placement, index) => {
    const checked = placementBox(placement, pdf, `${path}.${index}`, kind)
    if (checked.box) boxes.push(checked.box)
    errors.push(...checked.errors)
  })
  return { boxes, errors }
}

/** The box Privy draws for a checked signature placement: 120 × 60 pt at its (x, y). */
export function signatureBox(box: PointBox): PointBox {
  return { page: box.page, x: box.x, y: box.y, ...SIGNATURE_BOX }
}

/** The e-Meterai stamp for a checked placement: `dimension` × `dimension` pt at its (x, y). */
export function eMeteraiStamp(box: PointBox): { page: number; x: number; y: number; dimension: number } {
  return { page: box.page, x: box.x, y: box.y, dimension: Math.min(box.width, box.height) }
}

function checkNumbers(placement: Placement, path: string): FieldError[] {
  const errors: FieldError[] = []
  const max = placement.unit === 'percent' ? 100 : Number.POSITIVE_INFINITY
  for (const field of ['x', 'y', 'width', 'height'] as const) {
    const value = placement[field]
    const positive = field === 'width' || field === 'height'
    if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      errors.push({
        path: `${path}.${field}`,
        message: positive ? 'must be more than 0' : 'must be 0 or more',
      })
    } else if (value > max) {
      errors.push({ path: `${path}.${field}`, message: 'must be at most 100 (percent of the page)' })
    }
  }
  return errors
}

/**
 * Half-up to 0.01 pt. The nudge absorbs float noise, so a spot given in percent lands on the same
 * hundredth as the same spot given in points (123.455 pt must not become 123.45 one way, 123.46 the other).
 */
function roundPoints(value: number): number {
  return Math.round(value * 100 + 1e-6) / 100
}

function fmt(points: number): string {
  return String(roundPoints(points))
}
