/**
 * Gives a large buffer's memory back now rather than at the next full GC. A request's PDF lives for
 * seconds, long enough to reach V8's old generation, and a dead Buffer there keeps its memory until a
 * mark-compact, which V8 starts only once tens of MiB more of such memory have piled up: with 20 uploads
 * of 5 MiB at a time, the finished ones were a large part of the peak (docs/decisions/upload-streaming.md). Detaching the
 * ArrayBuffer (a zero-length `transfer`) frees its memory at once; every view of it reads as empty
 * from then on.
 *
 * Only a buffer whose memory is its own is released: a view that covers its whole ArrayBuffer, or one
 * of memory allocated for it alone (`ownedBytes`). Any other view may share its memory with others
 * (Node's pool of small Buffers, a slice of a socket read), which must not vanish.
 * The caller guarantees nothing reads the bytes again.
 */
export function releaseBytes(bytes: Uint8Array): void {
  if (!(bytes.buffer instanceof ArrayBuffer)) return
  // ES2024 (Node 21+); the compiler's lib here is older.
  const buffer = bytes.buffer as ArrayBuffer & { detached: boolean; transfer(length: number): ArrayBuffer }
  if (buffer.detached || !ownsItsMemory(bytes)) return
  buffer.transfer(0)
}

/**
 * ArrayBuffers that belong to one holder alone, though its view may cover only their start (an upload
 * read into a buffer sized from the request's Content-Length: src/http/part-bytes.ts). Weak, so it
 * keeps nothing alive.
 */
const owned = new WeakSet<ArrayBuffer>()

/** `size` bytes of memory of their own (never Node's shared pool), uninitialised. */
export function ownedBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafeSlow(size)
  owned.add(bytes.buffer as ArrayBuffer)
  return bytes
}

/**
 * Declares `bytes`' whole ArrayBuffer its own: nothing else views it (memory from `ownedBytes`, or
 * moved here by transfer from a worker). Returns `bytes`.
 */
export function adoptBytes<T extends Uint8Array>(bytes: T): T {
  if (bytes.buffer instanceof ArrayBuffer) owned.add(bytes.buffer)
  return bytes
}

/** Whether `bytes` may be moved or freed with its whole ArrayBuffer without touching anyone else's. */
export function ownsItsMemory(bytes: Uint8Array): boolean {
  if (!(bytes.buffer instanceof ArrayBuffer)) return false
  return owned.has(bytes.buffer) || (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
}
