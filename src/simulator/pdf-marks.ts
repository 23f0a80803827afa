import {
  beginText,
  concatTransformationMatrix,
  endText,
  moveText,
  PDFContentStream,
  type PDFFont,
  type PDFName,
  PDFOperator,
  PDFOperatorNames,
  type PDFPage,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  StandardFonts,
  setFillingRgbColor,
  setFontAndSize,
  setLineWidth,
  setStrokingRgbColor,
  stroke,
} from 'pdf-lib'
import type { PlacedBox, SimDocument } from './document-types.js'
import { loadPdf, type PageGeometry, pageGeometry, toUserSpace } from './pdf.js'

/**
 * The signed PDF of a completed document (docs/privy-contract.md §5.3 `signed_document`): the uploaded PDF with a visible
 * mark on every signature box and e-Meterai stamp, so a test can see that each landed where the
 * client placed it. The marks go in one UNcompressed content stream with literal strings, so their
 * text ("Signed by …", "e-Meterai …") can be found in the saved bytes without inflating anything.
 * There is no cryptographic signature: this is a simulator.
 */

export const SIGNED_PDF_PRODUCER = 'Privy simulator'

/** Matrix [a b c d] that turns local "as shown" axes into user space for each /Rotate. */
const TURN: Readonly<Record<PageGeometry['rotation'], [number, number, number, number]>> = {
  0: [1, 0, 0, 1],
  90: [0, 1, -1, 0],
  180: [-1, 0, 0, -1],
  270: [0, -1, 1, 0],
}

interface Mark {
  box: PlacedBox
  lines: Array<{ text: string; size: number }>
  color: [number, number, number]
}

/** Literal strings need only these escapes; the marks hold ASCII ids, dates and serials. */
function literal(text: string): PDFString {
  return PDFString.of(text.replace(/[\\()]/g, (character) => `\\${character}`))
}

/** The size at which `text` fits the box width with a margin, never above `preferred`. */
function fittedSize(font: PDFFont, text: string, boxWidth: number, preferred: number): number {
  const widthAtOne = font.widthOfTextAtSize(text, 1)
  return Math.max(1, Math.min(preferred, (boxWidth * 0.9) / widthAtOne))
}

/**
 * Operators for one mark, drawn in a local system whose origin is the box's bottom-left corner as
 * the reader sees it and whose axes are the reader's, so rotated pages need no other case.
 */
function markOperators(page: PageGeometry, mark: Mark, fontKey: PDFName): PDFOperator[] {
  const { box } = mark
  const origin = toUserSpace(page, box.x, box.y + box.height)
  const [a, b, c, d] = TURN[page.rotation]
  const operators: PDFOperator[] = [
    pushGraphicsState(),
    concatTransformationMatrix(a, b, c, d, origin.x, origin.y),
    setStrokingRgbColor(...mark.color),
    setFillingRgbColor(...mark.color),
    setLineWidth(1),
    rectangle(0.5, 0.5, box.width - 1, box.height - 1),
    stroke(),
  ]
  // Lines spread evenly down the box, starting at the margin fittedSize left free.
  const lineHeight = box.height / (mark.lines.length + 1)
  const margin = box.width * 0.05
  mark.lines.forEach((line, index) => {
    operators.push(
      beginText(),
      setFontAndSize(fontKey, line.size),
      moveText(margin, box.height - lineHeight * (index + 1) - line.size / 3),
      PDFOperator.of(PDFOperatorNames.ShowText, [literal(line.text)]),
      endText(),
    )
  })
  operators.push(popGraphicsState())
  return operators
}

function marksOf(document: SimDocument, font: PDFFont): Mark[] {
  const marks: Mark[] = []
  const line = (text: string, box: PlacedBox, preferred: number) => ({
    text,
    size: fittedSize(font, text, box.width, preferred),
  })
  // An invisible signature (visibility false) leaves no mark; e-Meterai stamps always show.
  if (document.visibility) {
    for (const signer of document.signers) {
      if (signer.status !== 'signed' || signer.signedAt === undefined) continue
      const label = signer.signerType === 'Signer' ? 'Signed by' : 'Reviewed by'
      for (const box of signer.boxes) {
        const lines = [
          line(`${label} ${signer.privyId}`, box, 9),
          line(signer.signedAt.toISOString(), box, 7),
        ]
        marks.push({ box, lines, color: [0.1, 0.2, 0.6] })
      }
    }
  }
  const serial = document.emeterai?.serialNumber
  if (serial !== undefined) {
    for (const box of document.emeterai?.stamps ?? []) {
      marks.push({ box, lines: [line(`e-Meterai ${serial}`, box, 8)], color: [0.6, 0.1, 0.1] })
    }
  }
  return marks
}

function drawOn(page: PDFPage, geometry: PageGeometry, marks: Mark[], font: PDFFont): void {
  if (marks.length === 0) return
  // Registering the font normalises the page: its existing content is wrapped in q … Q, so a
  // transformation it leaves behind cannot displace the marks drawn after it.
  const fontKey = page.node.newFontDictionary('SimHelv', font.ref)
  const operators = marks.flatMap((mark) => markOperators(geometry, mark, fontKey))
  const stream = PDFContentStream.of(page.doc.context.obj({}), operators, false)
  page.node.addContentStream(page.doc.context.register(stream))
}

/** The uploaded PDF with every mark drawn, /Producer "Privy simulator", saved without object streams. */
export async function renderSignedPdf(document: SimDocument, now: Date): Promise<Buffer> {
  const pdf = await loadPdf(document.uploadedPdf)
  const font = pdf.embedStandardFont(StandardFonts.Helvetica)
  const marks = marksOf(document, font)
  pdf.getPages().forEach((page, index) => {
    const onPage = marks.filter((mark) => mark.box.page === index + 1)
    drawOn(page, pageGeometry(page, index + 1), onPage, font)
  })
  pdf.setProducer(SIGNED_PDF_PRODUCER)
  pdf.setModificationDate(now)
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}
