import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, type ReadStream } from 'node:fs'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Signed PDFs, kept by their SHA-256 so a document fetched from Privy once is served from here after,
 * and a file cannot be swapped without its name changing. A directory by default; the interface is
 * small enough for an object store.
 */
export interface SignedPdfStore {
  put(bytes: Buffer): Promise<string>
  open(sha256: string): Promise<{ stream: ReadStream; size: number } | null>
}

const SHA256_HEX = /^[0-9a-f]{64}$/

export function createDirectoryStore(directory: string): SignedPdfStore {
  const pathOf = (sha256: string) => {
    if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest')
    return join(directory, `${sha256}.pdf`)
  }
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
