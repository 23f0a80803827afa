import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { degrees, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib'
import { A4_PAGE } from './documents.js'

const run = promisify(execFile)

/** Where a tag was drawn: its top-left corner on the page as a viewer shows it, in points. */
export interface DrawnTag {
  tag: string
  page: number
  x: number
  y: number
}

/**
 * A five-page A4 PDF with tags at known places, each in another way a template puts them there:
 * page 1 Helvetica 12 pt on a line of its own, a tag drawn in two operators with two fonts (Courier,
 * then Times), and a 1 pt white tag; page 2 turned by /Rotate 90 with the tag upright to the reader in
 * Times 14 pt; page 3 a tag in Helvetica-Bold after a label on the same line; page 4 a CropBox away from
 * the origin; page 5 turned by /Rotate 180, in Courier. Returns the PDF and where
 * each tag's top-left corner is, computed from what was drawn.
 */
export async function taggedPdf(): Promise<{ pdf: Buffer; drawn: DrawnTag[] }> {
  const pdf = await PDFDocument.create()
  const font = async (name: StandardFonts) => pdf.embedFont(name)
  const [helvetica, courier, times, bold] = await Promise.all([
    font(StandardFonts.Helvetica),
    font(StandardFonts.Courier),
    font(StandardFonts.TimesRoman),
    font(StandardFonts.HelveticaBold),
  ])
  const drawn: DrawnTag[] = []
  const upright = (
    page: PDFPage,
    number: number,
    tag: string,
    x: number,
    y: number,
    size: number,
    f: PDFFont,
  ) => {
    page.drawText(tag, { x, y, size, font: f })
    drawn.push({ tag, page: number, x, y: A4_PAGE.height - (y + size) })
  }

  const first = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  first.drawText('Loan agreement', { x: 80, y: 780, size: 18, font: bold })
  upright(first, 1, '{{sign:borrower}}', 80, 600, 12, helvetica)
  // One tag, two text operators in two fonts: no reader joins them into one run.
  const head = '{{sign:'
  first.drawText(head, { x: 80, y: 400, size: 10, font: courier })
  first.drawText('witness}}', { x: 80 + courier.widthOfTextAtSize(head, 10), y: 400, size: 10, font: times })
  drawn.push({ tag: '{{sign:witness}}', page: 1, x: 80, y: A4_PAGE.height - 410 })
  // The invisible kind: white, 1 pt.
  first.drawText('{{sign:quiet}}', { x: 300, y: 150, size: 1, font: helvetica, color: rgb(1, 1, 1) })
  drawn.push({ tag: '{{sign:quiet}}', page: 1, x: 300, y: A4_PAGE.height - 151 })

  // /Rotate 90: the reader's x runs along user y, the reader's y along user x. Text turned by 90° in user
  // space reads upright; its top-left on screen is (baseline y, baseline x - size).
  const second = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  second.setRotation(degrees(90))
  second.drawText('{{sign:lender}}', { x: 300, y: 200, size: 14, font: times, rotate: degrees(90) })
  drawn.push({ tag: '{{sign:lender}}', page: 2, x: 200, y: 300 - 14 })

  const third = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  const label = 'Guarantor: '
  third.drawText(label, { x: 60, y: 500, size: 11, font: bold })
  upright(third, 3, '{{sign:guarantor}}', 60 + bold.widthOfTextAtSize(label, 11), 500, 11, bold)

  // A CropBox away from the origin: the visible page starts at (50, 100) and is 400 × 600 pt.
  const fourth = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  fourth.setCropBox(50, 100, 400, 600)
  fourth.drawText('{{sign:cropped}}', { x: 100, y: 500, size: 12, font: helvetica })
  drawn.push({ tag: '{{sign:cropped}}', page: 4, x: 100 - 50, y: 100 + 600 - (500 + 12) })

  // /Rotate 180, the tag upright to the reader: on screen x = width - user x, y = user y.
  const fifth = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  fifth.setRotation(degrees(180))
  fifth.drawText('{{sign:upside}}', { x: 400, y: 300, size: 12, font: courier, rotate: degrees(180) })
  drawn.push({ tag: '{{sign:upside}}', page: 5, x: A4_PAGE.width - 400, y: 300 - 12 })
  return { pdf: Buffer.from(await pdf.save({ useObjectStreams: false })), drawn }
}

/** A one-page A4 PDF with `tag` drawn at each of `spots` (x, y baseline in user space), Helvetica 12. */
export async function pdfWithTags(tag: string, spots: Array<[number, number]>): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage([A4_PAGE.width, A4_PAGE.height])
  for (const [x, y] of spots) page.drawText(tag, { x, y, size: 12, font })
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}

const SCALE = 2

/**
 * Renders one page with pdftoppm (poppler-utils) at 144 dpi and returns the box, in points from the
 * top-left, of the signature-mark pixels (the simulator strokes each mark in blue) inside `window`.
 */
export async function markBox(
  pdf: Buffer,
  page: number,
  window: { x: number; y: number; width: number; height: number },
): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'tags-render-'))
  try {
    await writeFile(join(dir, 'signed.pdf'), pdf)
    const args = ['-r', String(72 * SCALE), '-f', String(page), '-l', String(page), '-singlefile']
    await run('pdftoppm', [...args, join(dir, 'signed.pdf'), join(dir, 'page')])
    const image = await readFile(join(dir, 'page.ppm'))
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(image.toString('latin1', 0, 40))
    if (!header) throw new Error('pdftoppm wrote no binary PPM')
    const width = Number(header[1])
    const height = Number(header[2])
    const start = header[0].length
    let left = Number.POSITIVE_INFINITY
    let top = Number.POSITIVE_INFINITY
    let right = -1
    let bottom = -1
    const x0 = Math.max(0, Math.floor(window.x * SCALE))
    const y0 = Math.max(0, Math.floor(window.y * SCALE))
    const x1 = Math.min(width, Math.ceil((window.x + window.width) * SCALE))
    const y1 = Math.min(height, Math.ceil((window.y + window.height) * SCALE))
    for (let y = y0; y < y1; y += 1) {
      for (let x = x0; x < x1; x += 1) {
        const at = start + (y * width + x) * 3
        const [r = 255, g = 255, b = 255] = [image[at], image[at + 1], image[at + 2]]
        // The mark's blue (0.1, 0.2, 0.6), antialiased: clearly more blue than red, never black text.
        if (b > 110 && b - r > 50 && b - g > 30) {
          left = Math.min(left, x)
          right = Math.max(right, x)
          top = Math.min(top, y)
          bottom = Math.max(bottom, y)
        }
      }
    }
    if (right < 0) return undefined
    return {
      x: left / SCALE,
      y: top / SCALE,
      width: (right + 1 - left) / SCALE,
      height: (bottom + 1 - top) / SCALE,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
