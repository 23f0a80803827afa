import { createHash, randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { createPostgresStore } from '../../src/modules/documents/signed-pdf.repository.js'
import { createS3Store } from '../../src/modules/documents/signed-pdf-s3.js'
import type { SignedPdfStore } from '../../src/modules/documents/signed-pdf-store.js'
import { openTestDatabase } from '../helpers/database.js'
import { type LocalS3, startLocalS3 } from '../helpers/s3.js'

// Each store the gateway can keep signed PDFs in (README "Signed PDFs"), held to the same contract:
// keyed by SHA-256, written once, read back byte for byte as a stream of the stated size, nothing for
// an unknown digest, and no key that is not a digest.

async function drain(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return { bytes: Buffer.concat(chunks), chunks: chunks.length }
}

function contract(name: string, open: () => SignedPdfStore) {
  describe(`the ${name} store`, () => {
    it('keeps bytes by their SHA-256 and streams them back whole', async () => {
      const store = open()
      const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(10_000)])
      const sha256 = await store.put(bytes)
      expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
      const opened = await store.open(sha256)
      expect(opened?.size).toBe(bytes.length)
      expect((await drain(opened?.stream as Readable)).bytes.equals(bytes)).toBe(true)
    })

    it('takes the same bytes twice (another instance got there first) and keeps one copy', async () => {
      const store = open()
      const bytes = randomBytes(2_000)
      const [one, two] = await Promise.all([store.put(bytes), store.put(bytes)])
      expect(two).toBe(one)
      expect(await store.put(bytes)).toBe(one)
      expect((await drain((await store.open(one))?.stream as Readable)).bytes.equals(bytes)).toBe(true)
    })

    it('answers null for a digest it does not hold and refuses what is not a digest', async () => {
      const store = open()
      expect(await store.open('0'.repeat(64))).toBeNull()
      await expect(store.open('../../etc/passwd')).rejects.toThrow(/SHA-256/)
    })
  })
}

let database: Database
let s3: LocalS3
let closeS3: () => void
let s3Store: SignedPdfStore
beforeAll(async () => {
  database = await openTestDatabase()
  s3 = await startLocalS3()
  const { store, close } = createS3Store({
    bucket: s3.env.S3_BUCKET as string,
    prefix: 'signed-pdfs/',
    region: 'us-east-1',
    endpoint: s3.env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  s3Store = store
  closeS3 = close
})
afterAll(async () => {
  closeS3?.()
  await s3?.close()
  await database?.close()
})

contract('PostgreSQL', () => createPostgresStore(database.prisma))
contract('S3', () => s3Store)

describe('the PostgreSQL store', () => {
  it('reads a download in slices, one query each, never the whole value at once', async () => {
    const store = createPostgresStore(database.prisma, 4096)
    const bytes = randomBytes(4096 * 5 + 123)
    const sha256 = await store.put(bytes)
    const opened = await store.open(sha256)
    const { bytes: read, chunks } = await drain(opened?.stream as Readable)
    expect(read.equals(bytes)).toBe(true)
    expect(chunks).toBe(6)
  })

  it('keeps the bytes out of line, uncompressed, so a slice reads only its own chunks', async () => {
    const rows = await database.prisma.$queryRaw<{ storage: string }[]>`
      SELECT attstorage::text AS "storage" FROM pg_attribute
      WHERE attrelid = '"signed_pdfs"'::regclass AND attname = 'bytes'`
    expect(rows[0]?.storage).toBe('e')
  })
})

describe('the S3 store', () => {
  it('answers 503 with Retry-After, not 500, when the bucket does not answer', async () => {
    const { store, close } = createS3Store({
      bucket: 'signed-pdfs',
      prefix: 'signed-pdfs/',
      region: 'us-east-1',
      // Nothing listens on port 9 (discard) here: every attempt is refused.
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    })
    try {
      const failure = { status: 503, code: 'SERVICE_UNAVAILABLE' }
      await expect(store.open('a'.repeat(64))).rejects.toMatchObject(failure)
      await expect(store.put(Buffer.from('%PDF-'))).rejects.toMatchObject(failure)
    } finally {
      close()
    }
  })
})
