import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/config.js'

// SIGNED_PDF_STORE and its S3 settings (README "Signed PDFs").
describe('the signed-PDF store in the config', () => {
  it('is the database by default, shared by every instance', () => {
    expect(loadConfig({}).documents.signedPdfStore).toEqual({ kind: 'postgres' })
  })

  it('is one directory only when asked for', () => {
    const config = loadConfig({ SIGNED_PDF_STORE: 'directory', SIGNED_PDF_STORE_DIR: '/srv/pdfs' })
    expect(config.documents.signedPdfStore).toEqual({ kind: 'directory', directory: '/srv/pdfs' })
  })

  it('needs a bucket for S3, and says so', () => {
    expect(() => loadConfig({ SIGNED_PDF_STORE: 's3' })).toThrow(ConfigError)
    expect(() => loadConfig({ SIGNED_PDF_STORE: 's3' })).toThrow(
      /S3_BUCKET: required when SIGNED_PDF_STORE=s3/,
    )
    expect(() => loadConfig({ SIGNED_PDF_STORE: 'disk' })).toThrow(/SIGNED_PDF_STORE/)
    expect(() => loadConfig({ SIGNED_PDF_STORE: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000' })).toThrow(
      /S3_ENDPOINT/,
    )
  })

  it('uses path-style URLs with an S3-compatible endpoint, and AWS virtual hosts without', () => {
    const compatible = loadConfig({
      SIGNED_PDF_STORE: 's3',
      S3_BUCKET: 'pdfs',
      S3_ENDPOINT: 'http://minio:9000',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
    }).documents.signedPdfStore
    expect(compatible).toEqual({
      kind: 's3',
      bucket: 'pdfs',
      prefix: 'signed-pdfs/',
      region: 'us-east-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    })
    const aws = loadConfig({ SIGNED_PDF_STORE: 's3', S3_BUCKET: 'pdfs', S3_REGION: 'ap-southeast-3' })
    // No keys given: the SDK's own chain (instance role, profile...) finds them.
    expect(aws.documents.signedPdfStore).toEqual({
      kind: 's3',
      bucket: 'pdfs',
      prefix: 'signed-pdfs/',
      region: 'ap-southeast-3',
      forcePathStyle: false,
    })
    const forced = loadConfig({ SIGNED_PDF_STORE: 's3', S3_BUCKET: 'pdfs', S3_FORCE_PATH_STYLE: 'true' })
    expect(forced.documents.signedPdfStore).toMatchObject({ forcePathStyle: true })
  })
})
