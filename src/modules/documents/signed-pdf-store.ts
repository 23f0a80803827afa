import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/**
 * Signed PDFs, kept by their SHA-256 so a document fetched from Privy once is served from here after,
 * and a file cannot be swapped without its name changing. PostgreSQL by default
 * (signed-pdf.repository.ts), an S3-compatible bucket when configured (signed-pdf-s3.ts), or one
 * instance's directory (README "Signed PDFs").
 */
export interface SignedPdfStore {
  put(bytes: Buffer): Promise<string>
  open(sha256: string): Promise<{ stream: Readable; size: number } | null>
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/** A key every store may use as a file name, object key or row id. */
export function sha256Checked(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest')
  return sha256
}

/** One instance's disk: only right for a single instance (the others would not find its files). */
export function createDirectoryStore(directory: string): SignedPdfStore {
  const pathOf = (sha256: string) => join(directory, `${sha256Checked(sha256)}.pdf`)
  return {
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      await mkdir(directory, { recursive: true })
      // Written aside, then renamed: a reader never sees half a file.
      const temporary = join(directory, `.${randomUUID()}.tmp`)
      await writeFile(temporary, bytes, { mode: 0o600 })
      await rename(temporary, pathOf(sha256))
      return sha256
    },
    async open(sha256) {
      const path = pathOf(sha256)
      try {
        const { size } = await stat(path)
        return { stream: createReadStream(path), size }
      } catch {
        return null
      }
    },
  }
}
