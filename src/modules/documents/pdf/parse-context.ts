import {
  decodePDFRawStream,
  ParseSpeeds,
  PDFArray,
  type PDFContext,
  PDFName,
  type PDFObject,
  PDFParser,
  PDFRawStream,
} from 'pdf-lib'

/** Thrown when the streams pdf-lib must expand while parsing would grow past the allowed size. */
export class ExpansionLimitError extends Error {
  constructor(readonly limit: number) {
    super(`object streams expand to more than ${limit} bytes`)
    this.name = 'ExpansionLimitError'
  }
}

/** Thrown for an object or cross-reference stream with a filter chain pdf-lib would expand unbounded. */
export class UnsupportedStreamError extends Error {
  constructor() {
    super('an object stream uses more than one filter')
    this.name = 'UnsupportedStreamError'
  }
}

const OBJECT_STREAM = PDFName.of('ObjStm')
const XREF_STREAM = PDFName.of('XRef')
const TYPE = PDFName.of('Type')
const FILTER = PDFName.of('Filter')
/** Read size when measuring a stream: big enough to be quick, small next to any sensible limit. */
const MEASURE_CHUNK = 256 * 1024

/**
 * Parses a PDF into pdf-lib's object graph, the way `PDFDocument.load` does, but with a ceiling on what
 * parsing may expand.
 *
 * pdf-lib inflates every object stream and cross-reference stream while it parses, whole and on the
 * event loop. A few hundred KB of compressed spaces declared as an object stream make it allocate
 * gigabytes (measured: an 800 KB file took 1.1 GB of RSS and 8 s of blocked event loop), so a file far
 * under the upload cap could take the gateway down. `PDFDocument.load` has no hook for that; the
 * parser's `parseObject` is public, so this wraps it on this one parser instance (nothing global is
 * patched): each stream pdf-lib is about to expand — recognised by the very lookup pdf-lib then makes —
 * is first measured, chunk by chunk, against what is left of `maxExpandedBytes`, and parsing stops as
 * soon as the total passes it. Measuring costs one extra decode of those streams (a few ms for a
 * normal document), and memory stays under twice the limit.
 *
 * Only single-filter streams are measured: behind a chain, an early stage can expand without bound
 * while a later one yields nothing (empty deflate blocks, whitespace in hex), so a chain is refused.
 * PDF writers emit one /FlateDecode for these streams (pdf-lib, qpdf, Acrobat, LibreOffice, Chrome).
 *
 * The parser runs strict (`throwOnInvalidObject`): a damaged object ends the parse instead of being
 * skipped with a console warning, so what is forwarded to Privy is a file a reader can fully parse.
 *
 * Known limit, not handled here: pdf-lib interns every name and reference it parses in process-wide
 * maps that are never emptied (`PDFName.of`, `PDFRef.of`). Measured: a 4 MB file of 400,000 distinct
 * names keeps ~45 MB alive for the life of the process, each time. Parsing in a worker thread that is
 * recycled would bound it.
 */
export async function parsePdfContext(bytes: Uint8Array, maxExpandedBytes: number): Promise<PDFContext> {
  // Fast: yield to the event loop every 1,500 objects (a few ms of work) instead of every 100.
  const parser = PDFParser.forBytesWithOptions(bytes, ParseSpeeds.Fast, true, false)
  let remaining = maxExpandedBytes
  let refusal: Error | undefined
  const parseObject = parser.parseObject.bind(parser)
  parser.parseObject = (): PDFObject => {
    const object = parseObject()
    if (object instanceof PDFRawStream && isExpandedWhileParsing(object)) {
      try {
        remaining -= measureExpanded(object, remaining)
      } catch (error) {
        // pdf-lib catches what a parse step throws and reports a generic "invalid object"; keep ours.
        refusal ??= error instanceof Error ? error : new Error(String(error))
        throw error
      }
    }
    return object
  }
  let context: PDFContext
  try {
    context = await parser.parseDocument()
  } catch (error) {
    throw refusal ?? error
  }
  // Strict parsing cannot step over a refused stream, but the verdict must not depend on that.
  if (refusal) throw refusal
  return context
}

function isExpandedWhileParsing(stream: PDFRawStream): boolean {
  const type = stream.dict.lookup(TYPE)
  return type === OBJECT_STREAM || type === XREF_STREAM
}

/** The decoded size of `stream`, or an error as soon as it passes `limit`. */
function measureExpanded(stream: PDFRawStream, limit: number): number {
  if (filterCount(stream.dict.lookup(FILTER)) > 1) throw new UnsupportedStreamError()
  const decoded = decodePDFRawStream(stream)
  let size = 0
  for (;;) {
    const chunk = decoded.getBytes(MEASURE_CHUNK)
    if (chunk.length === 0) return size
    size += chunk.length
    if (size > limit) throw new ExpansionLimitError(limit)
  }
}

function filterCount(filter: PDFObject | undefined): number {
  if (filter === undefined || filter instanceof PDFName) return filter === undefined ? 0 : 1
  // Anything else (an array, or a malformed value pdf-lib would reject) counts by its length or as many.
  return filter instanceof PDFArray ? filter.size() : Number.POSITIVE_INFINITY
}
