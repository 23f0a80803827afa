import { constants, inflateSync } from 'node:zlib'

/**
 * Most bytes the streams a text search may decode (page contents, forms, fonts) may expand to in one
 * document [chosen]: 64 MB, twice the object-stream cap of the inspection. pdf.js keeps each decoded
 * stream whole, in ArrayBuffers outside the worker's heap cap; measured here, a 200 KB file whose page
 * content inflates to 200 MB held 860 MB of them and took 6 s. Ordinary documents hold a few MB.
 */
export const MAX_DECODED_TEXT_BYTES = 64 * 1_048_576

const STREAM = Buffer.from('stream', 'latin1')
const END = Buffer.from('endstream', 'latin1')
/** A stream's dictionary is looked for this far back from its `stream` keyword. */
const DICTIONARY_WINDOW = 4_096
const FLATE = new Set(['FlateDecode', 'Fl'])
/** Filters whose output is never larger than their input (ASCII encodings) or that pdf.js's text
 * extraction never decodes (image codecs). */
const HARMLESS = new Set(['ASCIIHexDecode', 'AHx', 'ASCII85Decode', 'A85', 'DCTDecode', 'DCT', 'JPXDecode'])

/** Why a file cannot be searched; the message is public (it names a limit, never the file's content). */
export class TextBudgetError extends Error {
  override name = 'TextBudgetError'
}

/**
 * Measures, before pdf.js reads anything, how far the file's streams expand, and refuses past `budget`.
 * Every stream sits in the file's top level (PDF 32000 7.5.7: never inside an object stream), so a scan
 * of the raw bytes for `stream … endstream` finds all of them. Flate streams (one or several stages) are
 * inflated with the remaining budget as the cap, so the measure itself never holds more than that;
 * images are skipped (text extraction does not decode them); a stream compressed some other way that can
 * grow (LZW, RunLength) is refused, since it cannot be measured without decoding it in full.
 */
export function checkDecodedSize(bytes: Buffer, budget = MAX_DECODED_TEXT_BYTES): void {
  let left = budget
  for (let at = bytes.indexOf(STREAM); at >= 0; at = bytes.indexOf(STREAM, at + STREAM.length)) {
    // `endstream` contains `stream`: skip it, and any `stream` not after a dictionary's `>>`.
    if (at >= 3 && bytes.toString('latin1', at - 3, at) === 'end') continue
    const before = bytes.toString('latin1', Math.max(0, at - DICTIONARY_WINDOW), at)
    if (!/>>\s*$/.test(before)) continue
    const dictionary = before.slice(before.lastIndexOf(' obj') + 1)
    let start = at + STREAM.length
    if (bytes[start] === 0x0d) start += 1
    if (bytes[start] === 0x0a) start += 1
    const end = bytes.indexOf(END, start)
    if (end < 0) break
    if (!/\/Subtype\s*\/Image\b/.test(dictionary))
      left -= decodedSize(bytes.subarray(start, end), dictionary, left)
    if (left < 0) throw new TextBudgetError(tooLarge(budget))
    at = end
  }
}

/** How many bytes the stream decodes to, or `cap` + 1 once it is known to be more than `cap`. */
function decodedSize(data: Buffer, dictionary: string, cap: number): number {
  const filters = filtersOf(dictionary)
  if (filters === undefined) throw new TextBudgetError('has a stream whose compression cannot be measured')
  let decoded: Buffer = data
  for (const filter of filters) {
    if (FLATE.has(filter)) {
      const inflated = inflateCapped(decoded, cap)
      if (inflated === undefined) return cap + 1
      decoded = inflated
    } else if (!HARMLESS.has(filter)) {
      throw new TextBudgetError(`has a stream compressed with ${filter}, which the tag search does not read`)
    }
  }
  return decoded.length
}

/** The filter names of a stream's dictionary, in order; undefined when they are not stated plainly. */
function filtersOf(dictionary: string): string[] | undefined {
  const match = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+|\d+\s+\d+\s+R)/.exec(dictionary)
  if (!match?.[1]) return []
  if (/R$/.test(match[1])) return undefined
  return [...match[1].matchAll(/\/([A-Za-z0-9]+)/g)].map((name) => name[1] ?? '')
}

/**
 * Inflates at most `cap` + 1 bytes: undefined past that. A damaged stream counts for what inflates
 * before the damage (pdf.js reads that much too).
 */
function inflateCapped(data: Buffer, cap: number): Buffer | undefined {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, cap + 1), finishFlush: constants.Z_SYNC_FLUSH })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined
    return Buffer.alloc(0)
  }
}

function tooLarge(budget: number): string {
  return `expands to more than ${Math.round(budget / 1_048_576)} MB when decompressed for the tag search`
}
