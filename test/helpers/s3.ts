import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'

export interface LocalS3 {
  /** The gateway's environment for SIGNED_PDF_STORE=s3 against this server. */
  env: Record<string, string>
  close(): Promise<void>
}

/**
 * An S3-compatible server of the test's own (s3rver: the S3 REST API over a temp directory, checking
 * request signatures with its fixed S3RVER key pair), with one bucket.
 */
export async function startLocalS3(bucket = 'signed-pdfs'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'privy-gateway-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  })
  const { port } = await server.run()
  return {
    env: {
      SIGNED_PDF_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    close: async () => {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
