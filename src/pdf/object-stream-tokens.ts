/**
 * Counts the objects in a decoded object stream as it is read, chunk by chunk, without parsing it: the
 * tokens that start a value (a number, name, string, array, dictionary or keyword), and the page
 * dictionaries, by their `/Page` names. An upper bound on what pdf-lib will create from the stream (a
 * reference `12 0 R` counts as three, the stream's header of object numbers and offsets as two per
 * object); strings, hex strings and comments count once, or not at all, whatever they contain.
 *
 * Byte classes as PDF 32000 7.2.2 defines them: white-space, delimiters, and regular characters. About
 * 10 ns a byte: 32 MiB, the most object streams may expand to, in a third of a second.
 */
export function countObjectStreamTokens() {
  let state = BETWEEN
  let depth = 0
  let escaped = false
  let name = ''
  const counter = {
    objects: 0,
    pages: 0,
    add(chunk: ArrayLike<number>) {
      const length = chunk.length
      for (let index = 0; index < length; index++) {
        const byte = chunk[index] ?? 0
        const kind = CLASS[byte] ?? REGULAR
        if (state === BETWEEN) {
          if (kind === WHITE) continue
        } else if (state === TOKEN) {
          if (kind === REGULAR) continue
        } else if (state === STRING) {
          if (escaped) escaped = false
          else if (byte === BACKSLASH) escaped = true
          else if (byte === OPEN_PAREN) depth += 1
          else if (byte === CLOSE_PAREN && --depth === 0) state = BETWEEN
          continue
        } else if (state === HEX) {
          if (byte === GREATER_THAN) state = BETWEEN
          continue
        } else if (state === COMMENT) {
          if (byte === LF || byte === CR) state = BETWEEN
          continue
        } else if (state === LESS_THAN_SEEN) {
          // `<<` opens a dictionary and `<>` is an empty hex string (both counted at the `<`).
          state = byte === LESS_THAN || byte === GREATER_THAN ? BETWEEN : HEX
          continue
        } else if (state === NAME) {
          if (kind === REGULAR) {
            if (name.length <= PAGE_NAME.length) name += String.fromCharCode(byte)
            continue
          }
          if (name === PAGE_NAME) counter.pages += 1
        }
        // Here `byte` follows white-space, a delimiter or the end of a token: what does it start?
        state = BETWEEN
        if (kind === WHITE) continue
        if (kind === REGULAR) state = TOKEN
        else if (byte === OPEN_PAREN) {
          state = STRING
          depth = 1
        } else if (byte === LESS_THAN) state = LESS_THAN_SEEN
        else if (byte === SLASH) {
          state = NAME
          name = ''
        } else if (byte === PERCENT) {
          state = COMMENT
          continue
        } else if (byte !== OPEN_BRACKET) continue
        counter.objects += 1
      }
    },
  }
  return counter
}

const BETWEEN = 0
const TOKEN = 1
const NAME = 2
const STRING = 3
const HEX = 4
const COMMENT = 5
const LESS_THAN_SEEN = 6

const LF = 0x0a
const CR = 0x0d
const OPEN_PAREN = 0x28
const CLOSE_PAREN = 0x29
const LESS_THAN = 0x3c
const GREATER_THAN = 0x3e
const SLASH = 0x2f
const PERCENT = 0x25
const BACKSLASH = 0x5c
const OPEN_BRACKET = 0x5b
const PAGE_NAME = 'Page'

const REGULAR = 0
const WHITE = 1
const DELIMITER = 2
/** White-space (NUL, HT, LF, FF, CR, SP) and delimiters end a token; every other byte is part of one. */
const CLASS = new Uint8Array(256)
for (const byte of [0x00, 0x09, LF, 0x0c, CR, 0x20]) CLASS[byte] = WHITE
for (const byte of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[byte] = DELIMITER
