import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { Client, FormData, fetch, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installErrorHandling } from '../../src/errors/error-handler.js'
import { refusedUploadHook } from '../../src/http/multipart.js'
import { pdfMultipartLimits, pdfUploadBytes, readPdfUpload } from '../../src/http/pdf-upload.js'
import * as pdfs from '../fixtures/pdf/pdfs.js'
import {
  multipartBody,
  RAW_BOUNDARY,
  type RawPart,
  streamOversizedFile,
} from '../fixtures/pdf/stream-upload.js'

const MB = 1_048_576
const LIMITS = { maxBytes: 2 * MB, maxMetadataBytes: 4096 }
const METADATA = {
  title: 'Perjanjian Kerja',
  signers: [{ privy_id: 'AB1234', role: 'signer', placements: [] }],
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

let app: FastifyInstance
let base: string
/** What the server had read from the socket when it refused a request (see the streaming test). */
let socketBytesReadAtRefusal = 0
/** The Content-Length of the last request, as the server saw it. */
let lastDeclaredLength: string | undefined

beforeAll(async () => {
  app = Fastify({ logger: false })
  installErrorHandling(app)
  app.addHook('onError', async (req) => {
    socketBytesReadAtRefusal = req.raw.socket.bytesRead
  })
  // As the documents route should register it: its own scope, these limits, the onError hook.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: pdfMultipartLimits(LIMITS) })
    scope.addHook('onError', refusedUploadHook(pdfUploadBytes(LIMITS)))
    scope.addHook('onRequest', async (req) => {
      lastDeclaredLength = req.headers['content-length']
    })
    scope.post('/documents', async (req: FastifyRequest) => {
      const { file, ...rest } = await readPdfUpload(req, LIMITS)
      return { ...rest, bytesMatch: sha256(file) === rest.sha256 && file.length === rest.size }
    })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  // Would wait for any connection a refusal left stuck (until the hook timeout fails the file).
  await app.close()
})

interface Answer {
  status: number
  body: {
    code?: string
    errors?: Array<{ path: string; message: string }>
    sha256?: string
    size?: number
    filename?: string
    metadata?: unknown
    bytesMatch?: boolean
  }
}

async function post(form: FormData): Promise<Answer> {
  const response = await fetch(`${base}/documents`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, body: (await response.json()) as Answer['body'] }
}

/** For what FormData cannot send: a text field that declares a content type. */
async function postRaw(parts: RawPart[]): Promise<Answer> {
  const response = await request(`${base}/documents`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${RAW_BOUNDARY}` },
    body: multipartBody(parts),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.statusCode, body: (await response.body.json()) as Answer['body'] }
}

type Part = ['file', Uint8Array, string?] | ['text', string]

/** A form with its parts in the order given (undici writes the body, boundary and all). */
function form(...parts: Array<[string, Part]>): FormData {
  const data = new FormData()
  for (const [name, part] of parts) {
    if (part[0] === 'file')
      data.append(name, new Blob([part[1]], { type: 'application/pdf' }), part[2] ?? 'doc.pdf')
    else data.append(name, part[1])
  }
  return data
}
const pdfPart = (bytes: Uint8Array, filename?: string): [string, Part] => ['file', ['file', bytes, filename]]
const metadataPart = (text = JSON.stringify(METADATA)): [string, Part] => ['metadata', ['text', text]]

describe('readPdfUpload over a real socket', () => {
  it('reads the PDF byte for byte, hashed while streaming, and the metadata as JSON', async () => {
    const pdf = await pdfs.multiPage()
    const answer = await post(form(pdfPart(pdf, 'kontrak.pdf'), metadataPart()))
    expect(answer).toEqual({
      status: 200,
      body: {
        sha256: sha256(pdf),
        size: pdf.length,
        filename: 'kontrak.pdf',
        metadata: METADATA,
        bytesMatch: true,
      },
    })
  })

  it('takes metadata before the file as well as after it', async () => {
    const pdf = await pdfs.a4()
    const answer = await post(form(metadataPart(), pdfPart(pdf)))
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ sha256: sha256(pdf), metadata: METADATA })
  })

  it('takes metadata as a file part (curl -F metadata=@doc.json), with a byte-order mark', async () => {
    const json = Buffer.from(`\uFEFF${JSON.stringify(METADATA)}`)
    const answer = await post(form(pdfPart(await pdfs.a4()), ['metadata', ['file', json, 'doc.json']]))
    expect(answer.status).toBe(200)
    expect(answer.body.metadata).toEqual(METADATA)
  })

  it('takes metadata declared application/json, which the plugin parses itself', async () => {
    const answer = await postRaw([
      { name: 'metadata', type: 'application/json', body: JSON.stringify(METADATA) },
      { name: 'file', filename: 'doc.pdf', type: 'application/pdf', body: await pdfs.a4() },
    ])
    expect(answer.status).toBe(200)
    expect(answer.body.metadata).toEqual(METADATA)
  })

  it('accepts a file exactly at the cap, and metadata exactly at its cap', async () => {
    const metadata = JSON.stringify({ pad: 'x'.repeat(LIMITS.maxMetadataBytes - 10) })
    expect(Buffer.byteLength(metadata)).toBe(LIMITS.maxMetadataBytes)
    const answer = await post(form(pdfPart(Buffer.alloc(LIMITS.maxBytes, 1)), metadataPart(metadata)))
    expect(answer.status).toBe(200)
    expect(answer.body.size).toBe(LIMITS.maxBytes)
  })

  it.each([
    [
      'a file one byte over its cap',
      form(pdfPart(Buffer.alloc(LIMITS.maxBytes + 1, 1)), metadataPart()),
      'file',
      'must be at most 2 MB',
    ],
    [
      'metadata one byte over its cap',
      form(pdfPart(Buffer.alloc(10, 1)), metadataPart(`"${'x'.repeat(LIMITS.maxMetadataBytes - 1)}"`)),
      'metadata',
      'must be at most 4 KB',
    ],
    [
      'metadata over its cap as a file part',
      form(
        ['metadata', ['file', Buffer.alloc(LIMITS.maxMetadataBytes + 1, 32)]],
        pdfPart(Buffer.alloc(10, 1)),
      ),
      'metadata',
      'must be at most 4 KB',
    ],
  ])('refuses %s with 413', async (_case, data, path, message) => {
    const answer = await post(data)
    expect(answer.status).toBe(413)
    expect(answer.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errors: [{ path, message }] })
  })

  // Without a Content-Length the reader cannot size its buffer up front and grows it instead: the same
  // bytes, the same cap and the same refusal as with one.
  async function postChunked(parts: RawPart[]): Promise<Answer> {
    const body = multipartBody(parts)
    const response = await request(`${base}/documents`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${RAW_BOUNDARY}` },
      body: Readable.from(
        (function* () {
          for (let at = 0; at < body.length; at += 50_000) yield body.subarray(at, at + 50_000)
        })(),
      ),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: response.statusCode, body: (await response.body.json()) as Answer['body'] }
  }

  it('reads a chunked body (no Content-Length) byte for byte, up to a file exactly at the cap', async () => {
    for (const pdf of [await pdfs.multiPage(), randomBytes(LIMITS.maxBytes)]) {
      const answer = await postChunked([
        { name: 'metadata', body: JSON.stringify(METADATA) },
        { name: 'file', filename: 'doc.pdf', type: 'application/pdf', body: pdf },
      ])
      expect(lastDeclaredLength).toBeUndefined()
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ sha256: sha256(pdf), size: pdf.length, bytesMatch: true })
    }
  })

  it('refuses a file one byte over its cap in a chunked body with the same 413', async () => {
    const answer = await postChunked([
      {
        name: 'file',
        filename: 'doc.pdf',
        type: 'application/pdf',
        body: Buffer.alloc(LIMITS.maxBytes + 1, 1),
      },
      { name: 'metadata', body: JSON.stringify(METADATA) },
    ])
    expect(lastDeclaredLength).toBeUndefined()
    expect(answer.status).toBe(413)
    expect(answer.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      errors: [{ path: 'file', message: 'must be at most 2 MB' }],
    })
  })

  it('refuses an oversized file while it streams: 50 MB sent at a 2 MB cap', async () => {
    const result = await streamOversizedFile(`${base}/documents`, 50 * MB)
    expect(result.status).toBe(413)
    expect(JSON.parse(result.body)).toMatchObject({
      errors: [{ path: 'file', message: 'must be at most 2 MB' }],
    })
    // The server decided after reading the cap and a few socket chunks, not the 50 MB...
    expect(socketBytesReadAtRefusal).toBeGreaterThan(LIMITS.maxBytes)
    expect(socketBytesReadAtRefusal).toBeLessThan(LIMITS.maxBytes + MB)
    // ...and answered while the client was still far from done; then closed the connection.
    expect(result.sentWhenAnswered).toBeLessThan(20 * MB)
    expect(result.connection).toBe('close')
  })

  it.each([
    [
      'metadata that is not JSON',
      form(pdfPart(Buffer.alloc(10, 1)), metadataPart('{title: nope}')),
      [['metadata', 'must be JSON']],
    ],
    [
      'metadata that is not UTF-8',
      form(pdfPart(Buffer.alloc(10, 1)), ['metadata', ['file', Buffer.from([0x7b, 0xff, 0x7d])]]),
      [['metadata', 'must be JSON']],
    ],
    ['an empty file', form(pdfPart(new Uint8Array(0)), metadataPart()), [['file', 'must not be empty']]],
    ['a missing file', form(metadataPart()), [['file', 'is required']]],
    ['a missing metadata', form(pdfPart(Buffer.alloc(10, 1))), [['metadata', 'is required']]],
    [
      'an empty form',
      new FormData(),
      [
        ['file', 'is required'],
        ['metadata', 'is required'],
      ],
    ],
    [
      'two files',
      form(pdfPart(Buffer.alloc(10, 1)), pdfPart(Buffer.alloc(10, 2)), metadataPart()),
      [['file', 'must be sent once']],
    ],
    [
      'two metadata parts',
      form(metadataPart(), metadataPart(), pdfPart(Buffer.alloc(10, 1))),
      [['metadata', 'must be sent once']],
    ],
    [
      'the file sent as text',
      form(['file', ['text', '%PDF-1.7']], metadataPart()),
      [['file', 'must be sent as a file part']],
    ],
    [
      'an unknown file part',
      form(pdfPart(Buffer.alloc(10, 1)), ['attachment', ['file', Buffer.alloc(10)]]),
      [['attachment', 'is not an accepted part (only file and metadata are)']],
    ],
    [
      'an unknown text field',
      form(['title', ['text', 'x']], pdfPart(Buffer.alloc(10, 1))),
      [['title', 'is not an accepted part (only file and metadata are)']],
    ],
  ])('refuses %s with 400', async (_case, data, errors) => {
    const answer = await post(data)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual(errors.map(([path, message]) => ({ path, message })))
  })

  it('refuses a flood of text fields at the first one, by name', async () => {
    const answer = await post(
      form(...Array.from({ length: 50 }, (_, i): [string, Part] => [`f${i}`, ['text', 'x']])),
    )
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      { path: 'f0', message: 'is not an accepted part (only file and metadata are)' },
    ])
  })

  it('refuses metadata declared application/json that does not parse, as a malformed body', async () => {
    const answer = await postRaw([
      { name: 'metadata', type: 'application/json', body: '{nope' },
      { name: 'file', filename: 'doc.pdf', type: 'application/pdf', body: await pdfs.a4() },
    ])
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('MALFORMED_BODY')
  })

  it('refuses a body that is not multipart/form-data with 415', async () => {
    const response = await request(`${base}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(METADATA),
      signal: AbortSignal.timeout(10_000),
    })
    expect(response.statusCode).toBe(415)
    expect(await response.body.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
  })

  it('leaves no connection stuck after a refusal mid-body', async () => {
    const client = new Client(base, { pipelining: 1 })
    try {
      const send = async (data: FormData) => {
        const response = await client.request({
          path: '/documents',
          method: 'POST',
          body: data,
          signal: AbortSignal.timeout(5_000),
        })
        await response.body.dump()
        return response.statusCode
      }
      // Refused at `attachment`; the 300 KB PDF behind it is never read by the parser.
      expect(
        await send(form(['attachment', ['file', Buffer.alloc(10)]], pdfPart(Buffer.alloc(300_000, 1)))),
      ).toBe(400)
      expect(await send(form(pdfPart(await pdfs.a4()), metadataPart()))).toBe(200)
    } finally {
      await client.close()
    }
  })
})
