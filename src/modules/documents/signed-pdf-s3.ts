import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { S3StoreConfig } from '../../config/config.types.js'
import { AppError } from '../../errors/app-error.js'
import { type SignedPdfStore, sha256Checked } from './signed-pdf-store.js'

/**
 * Signed PDFs in an S3-compatible bucket (SIGNED_PDF_STORE=s3, README "Signed PDFs"): shared by every
 * instance, streamed from the bucket to the client as the bytes arrive, never held whole.
 */
export function createS3Store(config: S3StoreConfig): { store: SignedPdfStore; close(): void } {
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    // A copy: the SDK marks the object it is given, and the app's config is frozen.
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
  })
  const keyOf = (sha256: string) => `${config.prefix}${sha256Checked(sha256)}.pdf`
  const store: SignedPdfStore = {
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      const Key = keyOf(sha256)
      // Written once: the key is the content's hash, so an object already there holds these bytes.
      const exists = await client.send(new HeadObjectCommand({ Bucket: config.bucket, Key })).then(
        () => true,
        (error: unknown) => {
          if (notFound(error)) return false
          throw unavailable(error)
        },
      )
      if (!exists) {
        await client
          .send(
            new PutObjectCommand({
              Bucket: config.bucket,
              Key,
              Body: bytes,
              ContentType: 'application/pdf',
              ContentLength: bytes.length,
              ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
            }),
          )
          .catch((error: unknown) => {
            throw unavailable(error)
          })
      }
      return sha256
    },
    async open(sha256) {
      const Key = keyOf(sha256)
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key }))
        if (!(object.Body instanceof Readable) || object.ContentLength === undefined) {
          throw new Error('the S3 client returned no stream or no length')
        }
        return { stream: object.Body, size: object.ContentLength }
      } catch (error) {
        if (notFound(error)) return null
        throw unavailable(error)
      }
    },
  }
  return { store, close: () => client.destroy() }
}

/** A bucket that does not answer (or refuses us) is this gateway's outage: 503, the cause in the log. */
function unavailable(error: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', {
    detail: 'The signed-PDF store did not answer; try again shortly',
    retryAfterSeconds: 5,
    cause: error,
  })
}

function notFound(error: unknown): boolean {
  const named = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return named.name === 'NotFound' || named.name === 'NoSuchKey' || named.$metadata?.httpStatusCode === 404
}
