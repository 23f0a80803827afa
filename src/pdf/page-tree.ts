import { PDFArray, type PDFContext, PDFDict, PDFName, PDFNumber, type PDFObject } from 'pdf-lib'
import { ParseLimitError } from './parse-context.js'

/** A rectangle in PDF default user space: points, origin at the bottom-left, as the file states it. */
export interface PdfBox {
  x: number
  y: number
  width: number
  height: number
}

export type PageRotation = 0 | 90 | 180 | 270

export interface PdfPage {
  /** 1-based, in document order. */
  number: number
  /** Size of the page as a viewer shows it, in points: the visible box, turned by `rotation`. */
  width: number
  height: number
  rotation: PageRotation
  mediaBox: PdfBox
  /** The CropBox clipped to the MediaBox, when the page has a usable one: what is actually visible. */
  cropBox?: PdfBox
}

/** A page tree a reader cannot use; its message is public (it names pages, never content). */
export class PageTreeError extends Error {
  override name = 'PageTreeError'
}

const ROTATIONS: readonly PageRotation[] = [0, 90, 180, 270]
const key = {
  pages: PDFName.of('Pages'),
  type: PDFName.of('Type'),
  kids: PDFName.of('Kids'),
  parent: PDFName.of('Parent'),
  mediaBox: PDFName.of('MediaBox'),
  cropBox: PDFName.of('CropBox'),
  rotate: PDFName.of('Rotate'),
}

/**
 * Lists the pages of a parsed PDF with their geometry, walking the page tree from the catalog with an
 * explicit stack (a looping tree is refused, not a stack overflow), normalising rectangles, and doing
 * what pdf.js does where the spec gives no answer; a page without a usable MediaBox is refused. Why not
 * pdf-lib's `getPages()`: docs/decisions/pdf-parsing.md ("The page tree").
 *
 * Past `maxPages` pages it stops with a `ParseLimitError`.
 */
export function readPages(context: PDFContext, maxPages = Number.POSITIVE_INFINITY): PdfPage[] {
  const catalog = context.lookup(context.trailerInfo.Root)
  const root = catalog instanceof PDFDict ? catalog.lookup(key.pages) : undefined
  if (!(root instanceof PDFDict)) throw new PageTreeError('has no page tree')
  const pages: PdfPage[] = []
  const seen = new Set<PDFDict>()
  const stack: PDFDict[] = [root]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (seen.has(node)) throw new PageTreeError('has a page tree that loops or repeats a page')
    seen.add(node)
    const kids = node.lookup(key.kids)
    if (kids instanceof PDFArray || node.lookup(key.type) === key.pages) {
      const size = kids instanceof PDFArray ? kids.size() : 0
      // Pushed last to first so the pages pop in document order.
      for (let index = size - 1; index >= 0; index--) stack.push(pageTreeNode(kids, index))
    } else {
      if (pages.length >= maxPages) throw new ParseLimitError('pages', maxPages)
      pages.push(readPage(node, pages.length + 1))
    }
  }
  return pages
}

function pageTreeNode(kids: PDFArray | PDFObject | undefined, index: number): PDFDict {
  const kid = kids instanceof PDFArray ? kids.lookup(index) : undefined
  if (!(kid instanceof PDFDict)) throw new PageTreeError('has a page tree with a missing page')
  return kid
}

function readPage(page: PDFDict, number: number): PdfPage {
  const mediaBox = readBox(inherited(page, key.mediaBox))
  if (mediaBox === undefined) throw new PageTreeError(`has no usable MediaBox on page ${number}`)
  const declaredCrop = readBox(inherited(page, key.cropBox))
  const cropBox = declaredCrop && intersect(declaredCrop, mediaBox)
  const visible = cropBox ?? mediaBox
  const rotation = readRotation(inherited(page, key.rotate))
  const turned = rotation === 90 || rotation === 270
  return {
    number,
    width: turned ? visible.height : visible.width,
    height: turned ? visible.width : visible.height,
    rotation,
    mediaBox,
    ...(cropBox ? { cropBox } : {}),
  }
}

/**
 * An inheritable page attribute: the page's own, else the nearest ancestor's through /Parent (PDF 32000
 * 7.7.3.4). pdf-lib's own lookup does the same but recurses until the stack overflows on a /Parent
 * cycle; this one stops.
 */
function inherited(page: PDFDict, name: PDFName): PDFObject | undefined {
  const visited = new Set<PDFDict>()
  for (let node: PDFDict | undefined = page; node !== undefined && !visited.has(node); ) {
    visited.add(node)
    const value = node.lookup(name)
    if (value !== undefined) return value
    const parent: PDFObject | undefined = node.lookup(key.parent)
    node = parent instanceof PDFDict ? parent : undefined
  }
  return undefined
}

/** A rectangle is any two opposite corners; a zero-area or non-numeric one is unusable. */
function readBox(value: PDFObject | undefined): PdfBox | undefined {
  if (!(value instanceof PDFArray) || value.size() !== 4) return undefined
  const numbers: number[] = []
  for (let index = 0; index < 4; index++) {
    const item = value.lookup(index)
    if (!(item instanceof PDFNumber) || !Number.isFinite(item.asNumber())) return undefined
    numbers.push(item.asNumber())
  }
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = numbers
  const box = {
    x: Math.min(x1, x2),
    y: Math.min(y1, y2),
    width: Math.abs(x2 - x1),
    height: Math.abs(y2 - y1),
  }
  return box.width > 0 && box.height > 0 ? box : undefined
}

function intersect(a: PdfBox, b: PdfBox): PdfBox | undefined {
  const x = Math.max(a.x, b.x)
  const y = Math.max(a.y, b.y)
  const width = Math.min(a.x + a.width, b.x + b.width) - x
  const height = Math.min(a.y + a.height, b.y + b.height) - y
  return width > 0 && height > 0 ? { x, y, width, height } : undefined
}

function readRotation(value: PDFObject | undefined): PageRotation {
  const degrees = value instanceof PDFNumber ? value.asNumber() : 0
  if (!Number.isInteger(degrees) || degrees % 90 !== 0) return 0
  return ROTATIONS[(((degrees % 360) + 360) % 360) / 90] ?? 0
}
