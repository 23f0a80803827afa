/**
 * Gives a large buffer's memory back now rather than at the next full GC. A request's PDF lives for
 * seconds, long enough to reach V8's old generation, and a dead Buffer there keeps its memory until a
 * mark-compact, which V8 starts only once tens of MiB more of such memory have piled up: with 20 uploads
 * of 5 MiB at a time, the finished ones were a large part of the peak (docs/decisions/upload-streaming.md). Detaching the
 * ArrayBuffer (a zero-length `transfer`) frees its memory at once; every view of it reads as empty
 * from then on.
 *
 * Only a buffer whose view covers its whole ArrayBuffer is released: a smaller view may share its
 * memory with others (Node's pool of small Buffers, a slice of a socket read), which must not vanish.
 * The caller guarantees nothing reads the bytes again.
 */
export function releaseBytes(bytes: Uint8Array): void {
  if (!(bytes.buffer instanceof ArrayBuffer)) return
  // ES2024 (Node 21+); the compiler's lib here is older.
  const buffer = bytes.buffer as ArrayBuffer & { detached: boolean; transfer(length: number): ArrayBuffer }
  if (buffer.detached || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return
  buffer.transfer(0)
}
