import {
  decodePDFRawStream,
  ParseSpeeds,
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFName,
  type PDFObject,
  PDFParser,
  PDFRawStream,
} from 'pdf-lib'
import { countObjectStreamTokens } from './object-stream-tokens.js'

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

/** Thrown as soon as the parser has read more objects, or more page objects, than allowed. */
export class ParseLimitError extends Error {
  constructor(
    readonly what: 'objects' | 'pages',
    readonly limit: number,
  ) {
    super(`more than ${limit} ${what}`)
    this.name = 'ParseLimitError'
  }
}

export interface ParseLimits {
  /** Most bytes the object and cross-reference streams may expand to. */
  maxExpandedBytes: number
  /** Most PDF objects (every number, name, string, array, dictionary, key included) the parse may create. */
  maxObjects: number
  /** Most page objects (`/Type /Page`) the parse may meet; the page tree is counted again afterwards. */
  maxPages: number
}

const OBJECT_STREAM = PDFName.of('ObjStm')
const XREF_STREAM = PDFName.of('XRef')
const TYPE = PDFName.of('Type')
const PAGE = PDFName.of('Page')
const FILTER = PDFName.of('Filter')
/** Read size when measuring a stream: big enough to be quick, small next to any sensible limit. */
const MEASURE_CHUNK = 256 * 1024

/** pdf-lib's parser with the one protected step this module counts. */
interface CountableParser {
  parseObject(): PDFObject
  parseName(): PDFName
}

/**
 * Parses a PDF into pdf-lib's object graph, the way `PDFDocument.load` does, but strict and with ceilings
 * on what parsing may expand (`maxExpandedBytes`, single-filter streams only) and create (`maxObjects`,
 * `maxPages`). It runs in a worker thread (src/pdf-worker/), under a deadline and a heap cap. Why and how,
 * with the measurements: docs/decisions/pdf-parsing.md ("A bounded parse").
 */
export async function parsePdfContext(bytes: Uint8Array, limits: ParseLimits): Promise<PDFContext> {
  // In a worker nothing else waits for this thread: parse without yielding.
  const parser = PDFParser.forBytesWithOptions(bytes, ParseSpeeds.Fastest, true, false)
  const countable = parser as unknown as CountableParser
  let remaining = limits.maxExpandedBytes
  let objects = 0
  let pages = 0
  let refusal: Error | undefined
  const refuse = (error: unknown): never => {
    // pdf-lib catches what a parse step throws and reports a generic "invalid object"; keep ours.
    refusal ??= error instanceof Error ? error : new Error(String(error))
    throw refusal
  }
  const count = (added: number) => {
    objects += added
    if (objects > limits.maxObjects) refuse(new ParseLimitError('objects', limits.maxObjects))
  }

  const parseName = countable.parseName.bind(parser)
  countable.parseName = (): PDFName => {
    count(1)
    return parseName()
  }
  const parseObject = countable.parseObject.bind(parser)
  countable.parseObject = (): PDFObject => {
    if (refusal) throw refusal
    const object = parseObject()
    // A name was counted by parseName; everything else is counted here, once it is read.
    if (!(object instanceof PDFName)) count(1)
    if (object instanceof PDFDict && object.get(TYPE) === PAGE) {
      pages += 1
      if (pages > limits.maxPages) refuse(new ParseLimitError('pages', limits.maxPages))
    }
    if (object instanceof PDFRawStream && isExpandedWhileParsing(object)) {
      try {
        remaining -= measureExpanded(object, remaining, (objectsAdded, pagesAdded) => {
          count(objectsAdded)
          pages += pagesAdded
          if (pages > limits.maxPages) refuse(new ParseLimitError('pages', limits.maxPages))
        })
      } catch (error) {
        refuse(error)
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

/**
 * The decoded size of `stream`, or an error as soon as it passes `limit`. An object stream's objects
 * and pages (as tokens) are reported chunk by chunk to `counted`, which throws past its own limits.
 */
function measureExpanded(
  stream: PDFRawStream,
  limit: number,
  counted: (objects: number, pages: number) => void,
): number {
  if (filterCount(stream.dict.lookup(FILTER)) > 1) throw new UnsupportedStreamError()
  const decoded = decodePDFRawStream(stream)
  const tokens = stream.dict.lookup(TYPE) === OBJECT_STREAM ? countObjectStreamTokens() : undefined
  let bytes = 0
  for (;;) {
    const chunk = decoded.getBytes(MEASURE_CHUNK)
    if (chunk.length === 0) return bytes
    bytes += chunk.length
    if (bytes > limit) throw new ExpansionLimitError(limit)
    if (tokens) {
      const before = { objects: tokens.objects, pages: tokens.pages }
      tokens.add(chunk)
      counted(tokens.objects - before.objects, tokens.pages - before.pages)
    }
  }
}

function filterCount(filter: PDFObject | undefined): number {
  if (filter === undefined || filter instanceof PDFName) return filter === undefined ? 0 : 1
  // Anything else (an array, or a malformed value pdf-lib would reject) counts by its length or as many.
  return filter instanceof PDFArray ? filter.size() : Number.POSITIVE_INFINITY
}
