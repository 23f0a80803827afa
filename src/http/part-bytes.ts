import { ownedBytes, releaseBytes } from '../lib/release-bytes.js'

/**
 * A file part's bytes copied into one buffer as they arrive, instead of a list of chunks joined at the
 * end: joining held the file twice for a moment, for every upload at once (docs/decisions/upload-streaming.md,
 * "Memory").
 *
 * The buffer is sized once from what the request declares (its Content-Length: the form weighs more
 * than the file, so the file fits), never above the part's cap, so a lying or huge Content-Length
 * costs no more than the cap. Without a declared length (a chunked body), or past a declaration that
 * was too low, it grows by doubling, up to the cap. The caller checks the cap before `push`.
 *
 * The bytes handed back are a view of the buffer's start; the buffer is this upload's own memory
 * (`ownedBytes`), so the PDF pool moves it whole and `releaseBytes` frees it whole. When more than half
 * of it would sit unused (a declared length far above the file), the file is copied into a buffer of
 * its own size instead, so at most twice the file stays held until the upload ends.
 */
export class PartBytes {
  private buffer: Buffer | undefined
  private size = 0

  constructor(
    /** The part's cap: the buffer never grows beyond it. */
    private readonly maxBytes: number,
    /** What the request declares it weighs, when it does (an upper bound of the part, if honest). */
    private readonly declaredBytes?: number,
  ) {}

  get length(): number {
    return this.size
  }

  /** Bytes allocated for the part so far (what it costs in memory, whatever it holds). */
  get capacity(): number {
    return this.buffer?.length ?? 0
  }

  /** Copies `chunk` in; the caller has checked that the part stays within its cap. */
  push(chunk: Uint8Array): void {
    const needed = this.size + chunk.length
    if (needed > this.maxBytes) throw new RangeError('the part is over its cap')
    if (!this.buffer || needed > this.buffer.length) this.grow(needed)
    ;(this.buffer as Buffer).set(chunk, this.size)
    this.size = needed
  }

  /** The bytes received, in memory of their own. The collector is empty afterwards. */
  finish(): Buffer {
    const buffer = this.buffer
    const size = this.size
    this.buffer = undefined
    this.size = 0
    if (!buffer || size === 0) {
      if (buffer) releaseBytes(buffer)
      return ownedBytes(0)
    }
    if (size === buffer.length) return buffer
    if (size * 2 >= buffer.length) return buffer.subarray(0, size)
    const exact = ownedBytes(size)
    buffer.copy(exact, 0, 0, size)
    releaseBytes(buffer)
    return exact
  }

  /** Gives the memory back now (a refused or abandoned part): nothing reads it again. */
  discard(): void {
    if (this.buffer) releaseBytes(this.buffer)
    this.buffer = undefined
    this.size = 0
  }

  private grow(needed: number): void {
    const current = this.buffer?.length ?? 0
    const declared = this.declaredBytes
    // The first buffer takes the declared length when it covers what is needed; after that (or
    // without one), double, and never beyond the cap.
    const wanted =
      current === 0 && declared !== undefined && declared >= needed
        ? declared
        : Math.max(needed, current * 2, FIRST_BYTES)
    const next = ownedBytes(Math.min(this.maxBytes, wanted))
    if (this.buffer) {
      this.buffer.copy(next, 0, 0, this.size)
      releaseBytes(this.buffer)
    }
    this.buffer = next
  }
}

/** The first buffer of a part of undeclared length: a socket read is at most 64 KiB. */
const FIRST_BYTES = 64 * 1024

/** The request's declared body length, when it is a usable number. */
export function declaredLength(headers: { 'content-length'?: string | undefined }): number | undefined {
  const declared = Number(headers['content-length'])
  return Number.isSafeInteger(declared) && declared > 0 ? declared : undefined
}
