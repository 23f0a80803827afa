/**
 * Counts the objects in a decoded object stream as it is read, chunk by chunk, without parsing it: the
 * tokens that start a value (a number, name, string, array, dictionary or keyword), and the page
 * dictionaries, by their `/Page` names. An upper bound on what pdf-lib will create from the stream (a
 * reference `12 0 R` counts as three, the stream's header of object numbers and offsets as two per
 * object); strings, hex strings and comments count once, or not at all, whatever they contain.
 *
 * Byte classes as PDF 32000 7.2.2 defines them: white-space, delimiters, and regular characters.
 */
export function countObjectStreamTokens() {
  let state: State = 'between'
  let depth = 0
  let escaped = false
  let name = ''
  const counter = {
    objects: 0,
    pages: 0,
    add(chunk: ArrayLike<number> & Iterable<number>) {
      for (const byte of chunk) {
        switch (state) {
          case 'string':
            if (escaped) escaped = false
            else if (byte === BACKSLASH) escaped = true
            else if (byte === OPEN_PAREN) depth += 1
            else if (byte === CLOSE_PAREN && --depth === 0) state = 'between'
            continue
          case 'hex':
            if (byte === GREATER_THAN) state = 'between'
            continue
          case 'comment':
            if (byte === LF || byte === CR) state = 'between'
            continue
          case 'lessThan':
            // `<<` opens a dictionary and `<>` is an empty hex string (both counted at the `<`).
            state = byte === LESS_THAN || byte === GREATER_THAN ? 'between' : 'hex'
            continue
          case 'name':
            if (isRegular(byte)) {
              if (name.length <= PAGE_NAME.length) name += String.fromCharCode(byte)
              continue
            }
            if (name === PAGE_NAME) counter.pages += 1
            break
          case 'token':
            if (isRegular(byte)) continue
            break
          case 'between':
            break
        }
        // Here `byte` follows white-space, a delimiter or the end of a token: what does it start?
        state = 'between'
        if (byte === OPEN_PAREN) {
          state = 'string'
          depth = 1
        } else if (byte === LESS_THAN) state = 'lessThan'
        else if (byte === SLASH) {
          state = 'name'
          name = ''
        } else if (byte === PERCENT) state = 'comment'
        else if (isRegular(byte)) state = 'token'
        if (state !== 'between' && state !== 'comment') counter.objects += 1
        else if (byte === OPEN_BRACKET) counter.objects += 1
      }
    },
  }
  return counter
}

type State = 'between' | 'token' | 'name' | 'string' | 'hex' | 'comment' | 'lessThan'

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

/** White-space (NUL, HT, LF, FF, CR, SP) and delimiters end a token; every other byte is part of one. */
const NOT_REGULAR = new Uint8Array(256)
for (const byte of [
  0x00,
  0x09,
  LF,
  0x0c,
  CR,
  0x20,
  0x28,
  0x29,
  0x3c,
  0x3e,
  0x5b,
  0x5d,
  0x7b,
  0x7d,
  0x2f,
  0x25,
]) {
  NOT_REGULAR[byte] = 1
}
const isRegular = (byte: number) => NOT_REGULAR[byte] === 0
