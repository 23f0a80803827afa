import { createHash, randomBytes } from 'node:crypto'

/**
 * Turns a PDF that holds no strings and no streams into a genuinely encrypted one: PDF 1.7
 * §7.6.3 standard security handler, revision 2 (RC4, 40-bit key), EMPTY user password, owner
 * password "owner". pdf-lib cannot encrypt, so the /Encrypt dictionary is appended as an
 * incremental update whose trailer names it. Because the document has nothing to encrypt (no
 * strings, no streams), the O and U entries computed here are all a reader needs to open it with
 * the empty password. Checked against pdf-lib (which sees `isEncrypted`) and the RC4 test vector,
 * not against an external PDF reader.
 */

/** The padding string of Algorithm 2 (PDF 1.7 §7.6.3.3). */
const PASSWORD_PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex')
const KEY_BYTES = 5
/** Every permission; bits 1-2 must be 0 (PDF 1.7 §7.6.3.2 Table 22). */
const PERMISSIONS = -4
const OWNER_PASSWORD = 'owner'

/** RC4, which Node's OpenSSL 3 no longer offers without the legacy provider. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const state = new Uint8Array(256).map((_, index) => index)
  const at = (index: number) => state[index & 0xff] ?? 0
  const swap = (a: number, b: number) => {
    const held = at(a)
    state[a] = at(b)
    state[b] = held
  }
  let j = 0
  for (let i = 0; i < 256; i += 1) {
    j = (j + at(i) + (key[i % key.length] ?? 0)) & 0xff
    swap(i, j)
  }
  const out = Buffer.alloc(data.length)
  let i = 0
  j = 0
  for (let index = 0; index < data.length; index += 1) {
    i = (i + 1) & 0xff
    j = (j + at(i)) & 0xff
    swap(i, j)
    out[index] = (data[index] ?? 0) ^ at(at(i) + at(j))
  }
  return out
}

function padded(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'latin1'), PASSWORD_PAD]).subarray(0, 32)
}

const md5 = (...parts: Uint8Array[]) => createHash('md5').update(Buffer.concat(parts)).digest()

/** Algorithms 3, 2 and 4 of PDF 1.7 §7.6.3.3 for revision 2 and an empty user password. */
function standardSecurity(fileId: Buffer): { owner: Buffer; user: Buffer } {
  const owner = rc4(md5(padded(OWNER_PASSWORD)).subarray(0, KEY_BYTES), padded(''))
  const permissions = Buffer.alloc(4)
  permissions.writeInt32LE(PERMISSIONS)
  const key = md5(padded(''), owner, permissions, fileId).subarray(0, KEY_BYTES)
  return { owner, user: rc4(key, PASSWORD_PAD) }
}

function lastMatch(text: string, pattern: RegExp): string {
  const matches = [...text.matchAll(pattern)]
  const value = matches.at(-1)?.[1]
  if (value === undefined) throw new Error(`not a classic-xref PDF: no ${pattern.source}`)
  return value
}

/**
 * Appends the /Encrypt dictionary and a trailer pointing to it. `pdf` must be saved by pdf-lib
 * with `useObjectStreams: false` (a classic xref table) and must hold no strings or streams.
 */
export function withEmptyPasswordEncryption(pdf: Uint8Array): Buffer {
  const original = Buffer.from(pdf)
  const text = original.toString('latin1')
  const size = Number(lastMatch(text, /\/Size (\d+)/g))
  const root = lastMatch(text, /\/Root (\d+ \d+ R)/g)
  const previousXref = lastMatch(text, /startxref\s+(\d+)/g)
  const fileId = randomBytes(16)
  const { owner, user } = standardSecurity(fileId)
  const id = `<${fileId.toString('hex')}>`
  const separator = text.endsWith('\n') ? '' : '\n'
  const objectOffset = original.length + separator.length
  const object =
    `${size} 0 obj\n<< /Filter /Standard /V 1 /R 2 /Length 40 ` +
    `/O <${owner.toString('hex')}> /U <${user.toString('hex')}> /P ${PERMISSIONS} >>\nendobj\n`
  const xrefOffset = objectOffset + object.length
  const update =
    `${separator}${object}xref\n${size} 1\n${String(objectOffset).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Encrypt ${size} 0 R /ID [${id} ${id}] ` +
    `/Prev ${previousXref} >>\nstartxref\n${xrefOffset}\n%%EOF\n`
  return Buffer.concat([original, Buffer.from(update, 'latin1')])
}
