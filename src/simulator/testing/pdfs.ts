import {
  decodePDFRawStream,
  degrees,
  PDFArray,
  PDFDocument,
  PDFName,
  PDFRawStream,
  StandardFonts,
} from 'pdf-lib'
import { withEmptyPasswordEncryption } from './pdf-encryption.js'

/** PDFs for tests of documents (docs/privy-contract.md §5.1), built with pdf-lib, and ways to look inside them. */

export interface PageSpec {
  /** MediaBox size in points, before rotation. */
  width: number
  height: number
  /** /Rotate: the reader turns the page clockwise by this much. */
  rotate?: 0 | 90 | 180 | 270
}

export interface MakePdfOptions {
  pages: PageSpec[]
  /**
   * Put the first page's MediaBox on the /Pages node and remove it from every page of that size,
   * so a reader must inherit it. Pages of another size keep their own.
   */
  inheritMediaBox?: boolean
  /**
   * A really encrypted PDF (RC4 40-bit, empty user password; see pdf-encryption.ts). Its pages
   * carry no content and it has no Info dictionary, since there is nothing to encrypt them with.
   */
  encrypted?: boolean
}

export const A4 = { width: 595, height: 842 } as const

/** A PDF with the given pages; unless encrypted, each shows "Original page N" near its top. */
export async function makePdf(options: MakePdfOptions): Promise<Uint8Array> {
  const encrypted = options.encrypted === true
  const pdf = await PDFDocument.create({ updateMetadata: !encrypted })
  const font = encrypted ? undefined : pdf.embedStandardFont(StandardFonts.Helvetica)
  options.pages.forEach((spec, index) => {
    const page = pdf.addPage([spec.width, spec.height])
    if (spec.rotate !== undefined && spec.rotate !== 0) page.setRotation(degrees(spec.rotate))
    if (font !== undefined)
      page.drawText(`Original page ${index + 1}`, { x: 10, y: spec.height - 20, size: 10, font })
  })
  const first = options.pages[0]
  if (options.inheritMediaBox === true && first !== undefined) {
    pdf.catalog.Pages().set(PDFName.of('MediaBox'), pdf.context.obj([0, 0, first.width, first.height]))
    pdf.getPages().forEach((page, index) => {
      const spec = options.pages[index]
      if (spec?.width === first.width && spec.height === first.height)
        page.node.delete(PDFName.of('MediaBox'))
    })
  }
  const bytes = await pdf.save({ useObjectStreams: false })
  return encrypted ? withEmptyPasswordEncryption(bytes) : bytes
}

export function pdfDataUrl(bytes: Uint8Array): string {
  return `data:application/pdf;base64,${Buffer.from(bytes).toString('base64')}`
}

/** The bytes of a `data:application/pdf;base64,` URL (a docs/privy-contract.md §5.3 `signed_document`). */
export function bytesOfDataUrl(dataUrl: string): Buffer {
  const prefix = 'data:application/pdf;base64,'
  if (!dataUrl.startsWith(prefix)) throw new Error('not a PDF data URL')
  return Buffer.from(dataUrl.slice(prefix.length), 'base64')
}

/**
 * Every content stream of a loaded page as text, decoded (inflated) when it is filtered, so a test
 * can look for the operators and literal strings drawn on it.
 */
export function pageContentTexts(pdf: PDFDocument, pageIndex: number): string[] {
  const contents = pdf.getPage(pageIndex).node.Contents()
  const items = contents instanceof PDFArray ? contents.asArray() : contents === undefined ? [] : [contents]
  return items.flatMap((item) => {
    const stream = pdf.context.lookup(item)
    if (!(stream instanceof PDFRawStream)) return []
    return [Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')]
  })
}
