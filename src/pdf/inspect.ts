import { formatBytes, invalidField } from '../http/field-errors.js'
import { findActiveContent } from './active-content.js'
import { PageTreeError, type PdfPage, readPages } from './page-tree.js'
import { ExpansionLimitError, ParseLimitError, parsePdfContext } from './parse-context.js'
import { FILE_FIELD, tooComplexPdf, unprocessablePdf } from './pdf-errors.js'

export interface PdfInfo {
  pageCount: number
  pages: PdfPage[]
}

export interface InspectPdfOptions {
  /**
   * Most bytes the object and cross-reference streams may expand to while the file is parsed; past it
   * the file is refused (a decompression bomb). Default `DEFAULT_MAX_EXPANDED_BYTES`.
   */
  maxExpandedBytes?: number
  /** Most pages accepted (DOCUMENT_MAX_PAGES). Default `DEFAULT_MAX_PAGES`. */
  maxPages?: number
  /** Most PDF objects the parse may create (DOCUMENT_MAX_OBJECTS). Default `DEFAULT_MAX_OBJECTS`. */
  maxObjects?: number
}

/**
 * 32 MB of decompressed objects. Measured: a 2,000-page document with five links a page expands to
 * 4.3 MB; a bomb is refused after decoding this much (~0.3 s, under 64 MB of memory).
 */
export const DEFAULT_MAX_EXPANDED_BYTES = 32 * 1_048_576
/** Contracts run to tens of pages, a bundle with its annexes to hundreds; see README "Documents". */
export const DEFAULT_MAX_PAGES = 2_000
/**
 * 2,000 pages of text as pdf-lib writes them hold 60,000 to 100,000 objects (measured), so this leaves
 * room for five times the page cap's worth; a million numbers parse in about 1.2 s here.
 */
export const DEFAULT_MAX_OBJECTS = 500_000

const HEADER = Buffer.from('%PDF-', 'latin1')
const END_MARKER = Buffer.from('%%EOF', 'latin1')
/** Readers look for %%EOF in the last 1 KB (PDF 32000 Annex H), tolerating trailing junk. */
const END_MARKER_WINDOW = 1024
const UNREADABLE = 'could not be read as a PDF'
const ENCRYPTED = 'is encrypted; upload it without a password'
const ENCRYPT_KEY = Buffer.from('/Encrypt', 'latin1')
/** `/Encrypt 12 0 R` or `/Encrypt <<`, as a trailer or cross-reference stream dictionary holds it. */
const ENCRYPT_ENTRY = /^\/Encrypt\s*(?:\d+\s+\d+\s+R|<<)/

/**
 * Checks that an upload is a PDF Privy can sign, and measures its pages for placement checks: `%PDF-` at
 * byte 0, `%%EOF` near the end, a strict bounded parse (422 `PDF_TOO_COMPLEX` past a limit), not
 * encrypted, 1 to `maxPages` pages with a usable MediaBox, no active content. Each failure is a 422 on
 * `file` (an empty file: 400). It parses on the calling thread: the gateway calls it only in its PDF
 * worker pool. The bytes are never changed. Why: docs/decisions/pdf-parsing.md.
 */
export async function inspectPdf(bytes: Buffer, options: InspectPdfOptions = {}): Promise<PdfInfo> {
  if (bytes.length === 0) throw invalidField(FILE_FIELD, 'must not be empty')
  if (!bytes.subarray(0, HEADER.length).equals(HEADER)) throw unprocessablePdf('is not a PDF')
  if (!bytes.subarray(-END_MARKER_WINDOW).includes(END_MARKER)) {
    throw unprocessablePdf(`${UNREADABLE}: it ends early (no %%EOF marker), was the upload cut short?`)
  }

  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES
  const limits = {
    maxExpandedBytes: options.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES,
    maxObjects: options.maxObjects ?? DEFAULT_MAX_OBJECTS,
    maxPages,
  }
  const context = await parsePdfContext(bytes, limits).catch((cause: unknown) => {
    if (cause instanceof ExpansionLimitError) {
      throw unprocessablePdf(`expands to more than ${formatBytes(cause.limit)} when decompressed`, cause)
    }
    if (cause instanceof ParseLimitError) throw limitRefusal(cause)
    // An encrypted file whose objects sit in object streams cannot be parsed at all (those streams are
    // ciphertext), which is what password-protecting in Word or Acrobat produces: name the real reason.
    if (declaresEncryption(bytes)) throw unprocessablePdf(ENCRYPTED, cause)
    // pdf-lib's messages quote offsets and tokens of the file: kept as the cause, never shown.
    throw unprocessablePdf(UNREADABLE, cause)
  })
  if (context.trailerInfo.Encrypt !== undefined) throw unprocessablePdf(ENCRYPTED)

  let pages: PdfPage[]
  try {
    pages = readPages(context, maxPages)
  } catch (cause) {
    if (cause instanceof ParseLimitError) throw limitRefusal(cause)
    if (cause instanceof PageTreeError) throw unprocessablePdf(`${UNREADABLE}: it ${cause.message}`, cause)
    throw unprocessablePdf(UNREADABLE, cause)
  }
  if (pages.length === 0) throw unprocessablePdf('has no pages')

  const active = findActiveContent(context)
  if (active) throw unprocessablePdf(active.message)
  return { pageCount: pages.length, pages }
}

/** 422 PDF_TOO_COMPLEX naming the limit: a client can tell a page cap from a file that cannot be read. */
export function limitRefusal(cause: ParseLimitError) {
  const limit = cause.limit.toLocaleString('en-US')
  return cause.what === 'pages'
    ? tooComplexPdf(`has more than ${limit} pages, the most this gateway accepts`, cause)
    : tooComplexPdf(`has more than ${limit} PDF objects, the most this gateway reads in one file`, cause)
}

/**
 * Whether the raw bytes hold an /Encrypt entry. Trailers and cross-reference stream dictionaries are
 * never compressed or encrypted, so this finds what the parse could not reach. Consulted only once the
 * parse has failed, where it merely picks the message: a stray match in some uncompressed text cannot
 * refuse a good file.
 */
function declaresEncryption(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(ENCRYPT_KEY); at >= 0; at = bytes.indexOf(ENCRYPT_KEY, at + 1)) {
    if (ENCRYPT_ENTRY.test(bytes.toString('latin1', at, at + 40))) return true
  }
  return false
}
