import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { PrismaClient } from '../../generated/prisma/client.js'
import { type SignedPdfStore, sha256Checked } from './signed-pdf-store.js'

/** A slice read per query: 20 such reads serve a 20 MiB PDF, and no request holds more than one. */
export const SIGNED_PDF_SLICE_BYTES = 1024 * 1024

/**
 * Signed PDFs in PostgreSQL (or PGlite), the default store: the database every instance already
 * shares (README "Signed PDFs"). One row per SHA-256, written once; a download streams the bytes in
 * slices of SIGNED_PDF_SLICE_BYTES, each read only when the client took the one before
 * (see docs/decisions/signed-pdf-store.md).
 */
export function createPostgresStore(
  prisma: PrismaClient,
  sliceBytes: number = SIGNED_PDF_SLICE_BYTES,
): SignedPdfStore {
  async function* slices(sha256: string, size: number): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; offset += sliceBytes) {
      // substring() on bytea counts from 1; with STORAGE EXTERNAL it reads only this slice's chunks.
      const rows = await prisma.$queryRaw<{ slice: Uint8Array }[]>`
        SELECT substring("bytes" FROM ${offset + 1}::int FOR ${sliceBytes}::int) AS "slice"
        FROM "signed_pdfs" WHERE "sha256" = ${sha256}`
      const slice = rows[0]?.slice
      if (!slice || slice.length === 0) throw new Error('signed PDF row shorter than its size')
      // A view of the driver's bytes, not a copy.
      yield Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength)
    }
  }

  return {
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      // Written once: another instance that fetched the same PDF first already wrote these bytes.
      await prisma.signedPdf.createMany({
        data: [
          {
            sha256,
            sizeBytes: bytes.length,
            // A view of the fetched bytes, not a copy of 20 MB.
            bytes: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length),
          },
        ],
        skipDuplicates: true,
      })
      return sha256
    },
    async open(sha256) {
      const row = await prisma.signedPdf.findUnique({
        where: { sha256: sha256Checked(sha256) },
        select: { sizeBytes: true },
      })
      if (!row) return null
      return {
        stream: Readable.from(slices(sha256, row.sizeBytes), { objectMode: false }),
        size: row.sizeBytes,
      }
    },
  }
}
