import { PDFDocument, type PDFPage } from 'pdf-lib'
import type { PlacedBox } from './document-types.js'

/**
 * Reading an uploaded document (docs/privy-contract.md §5.1) the way a PDF reader would: the MediaBox is the
 * page's own or inherited from the page tree, and /Rotate turns the page for the reader, so a
 * position "from the top-left corner" is measured on the turned page. A client that converts
 * placements without honouring rotation or inheritance is caught here.
 */

/** Why a `document_file` is refused; the caller names the field. */
export class PdfProblem extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PdfProblem'
  }
}

export type Rotation = 0 | 90 | 180 | 270

export interface PageGeometry {
  /** The MediaBox in user space, unturned: lower-left corner and size. */
  x: number
  y: number
  width: number
  height: number
  rotation: Rotation
  /** The page as a reader sees it: width and height swap at 90 and 270 degrees. */
  visibleWidth: number
  visibleHeight: number
}

const DATA_URL_PREFIX = 'data:application/pdf;base64,'
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
/** Readers accept the header anywhere in the first KiB; so does the simulator, and no further. */
const HEADER_WINDOW = 1024
/** Rounding in a client's point conversion must not refuse a box that touches the page edge. */
const EDGE_TOLERANCE = 1e-6

/** The bytes of `document_file`, which must be a `data:application/pdf;base64,` URL (docs/privy-contract.md §5.1). */
export function decodePdfDataUrl(value: string): Buffer {
  if (!value.startsWith(DATA_URL_PREFIX)) {
    throw new PdfProblem(`must be a data URL starting with ${DATA_URL_PREFIX}`)
  }
  const encoded = value.slice(DATA_URL_PREFIX.length)
  if (encoded.length === 0) throw new PdfProblem('must not be empty')
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new PdfProblem('must be base64 (standard alphabet, padded) after the data URL prefix')
  }
  const bytes = Buffer.from(encoded, 'base64')
  if (!bytes.subarray(0, HEADER_WINDOW).includes('%PDF-')) {
    throw new PdfProblem('is not a PDF (no %PDF- header)')
  }
  return bytes
}

/** Loads a PDF for reading; refuses one that does not parse, is encrypted or has no pages. */
export async function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  let document: PDFDocument
  try {
    // Encryption is detected here rather than by pdf-lib's exception, to say so in the answer.
    document = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false })
  } catch (error) {
    throw new PdfProblem(`is not a parseable PDF (${error instanceof Error ? error.message : 'unknown'})`)
  }
  if (document.isEncrypted) throw new PdfProblem('is encrypted; upload a PDF without a password')
  let pageCount: number
  try {
    pageCount = document.getPageCount()
  } catch {
    throw new PdfProblem('is not a parseable PDF (no page tree)')
  }
  if (pageCount === 0) throw new PdfProblem('has no pages')
  return document
}

function rotationOf(page: PDFPage, pageNumber: number): Rotation {
  const angle = page.getRotation().angle
  const normalised = ((angle % 360) + 360) % 360
  if (normalised === 0 || normalised === 90 || normalised === 180 || normalised === 270) return normalised
  throw new PdfProblem(`page ${pageNumber} has /Rotate ${angle}, which is not a multiple of 90`)
}

/** The MediaBox (own or inherited) and rotation of one page; `pageNumber` is 1-based. */
export function pageGeometry(page: PDFPage, pageNumber: number): PageGeometry {
  let box: { x: number; y: number; width: number; height: number }
  try {
    box = page.getMediaBox()
  } catch {
    throw new PdfProblem(`page ${pageNumber} has no usable /MediaBox`)
  }
  // A MediaBox may list its corners in any order.
  const x = Math.min(box.x, box.x + box.width)
  const y = Math.min(box.y, box.y + box.height)
  const width = Math.abs(box.width)
  const height = Math.abs(box.height)
  if (!(width > 0 && height > 0)) throw new PdfProblem(`page ${pageNumber} has an empty /MediaBox`)
  const rotation = rotationOf(page, pageNumber)
  const turned = rotation === 90 || rotation === 270
  return {
    x,
    y,
    width,
    height,
    rotation,
    visibleWidth: turned ? height : width,
    visibleHeight: turned ? width : height,
  }
}

/** Geometry of every page, in order. */
export function documentGeometry(document: PDFDocument): PageGeometry[] {
  return document.getPages().map((page, index) => pageGeometry(page, index + 1))
}

/** Why a 1-based page number names no page, or undefined when it names one. */
export function pageProblem(pages: readonly PageGeometry[], page: number): string | undefined {
  if (page >= 1 && page <= pages.length) return undefined
  return `page ${page} does not exist: pages are numbered 1 to ${pages.length}`
}

/** Why the box does not lie on its (existing) page, or undefined when it does. */
export function boxProblem(page: PageGeometry, box: PlacedBox): string | undefined {
  const fits =
    box.x >= -EDGE_TOLERANCE &&
    box.y >= -EDGE_TOLERANCE &&
    box.x + box.width <= page.visibleWidth + EDGE_TOLERANCE &&
    box.y + box.height <= page.visibleHeight + EDGE_TOLERANCE
  if (fits) return undefined
  const turned = page.rotation === 0 ? '' : `, as shown with /Rotate ${page.rotation}`
  return (
    `the ${box.width} × ${box.height} pt box at (${box.x}, ${box.y}) from the top-left leaves page ` +
    `${box.page} (${page.visibleWidth} × ${page.visibleHeight} pt${turned})`
  )
}

/**
 * A point given from the top-left of the page as shown, in the page's unturned user space, where
 * pdf-lib draws. The reader turns the page clockwise by /Rotate, so this undoes that turn.
 */
export function toUserSpace(page: PageGeometry, u: number, v: number): { x: number; y: number } {
  switch (page.rotation) {
    case 0:
      return { x: page.x + u, y: page.y + page.height - v }
    case 90:
      return { x: page.x + v, y: page.y + u }
    case 180:
      return { x: page.x + page.width - u, y: page.y + v }
    case 270:
      return { x: page.x + page.width - v, y: page.y + page.height - u }
  }
}
