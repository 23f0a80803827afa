import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import multipart from '@fastify/multipart'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import { Client, FormData, fetch, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installErrorHandling } from '../../src/errors/error-handler.js'
import { refusedUploadHook } from '../../src/http/multipart.js'
import { createLogger } from '../../src/logging.js'
import { inspectImage } from '../../src/modules/registration/identity/index.js'
import {
  readRegistrationMultipart,
  registrationMultipartLimits,
  registrationUploadBytes,
} from '../../src/modules/registration/registration.multipart.js'
import * as fixtures from '../fixtures/images/images.js'
import { LogCapture } from '../helpers/log-capture.js'
import { multipartHead, type StreamedAnswer, streamOversizedPart } from '../helpers/oversized-upload.js'

const MB = 1_048_576
// Different caps for the two files, so a test can tell which cap was applied.
const LIMITS = { ktpMaxBytes: 2 * MB, selfieMaxBytes: 1 * MB, maxFieldBytes: 256 }
const FIELDS = {
  registration_type: 'privy_ra',
  name: 'Siti Aminah',
  nik: '3273015708851234',
  dob: '1985-08-17',
  email: 'siti@example.co.id',
  phone: '6281234567890',
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

let app: FastifyInstance
let base: string
const logs = new LogCapture()
/** What the server had read from the socket when it refused a request (see the streaming test). */
let socketBytesReadAtRefusal = 0

beforeAll(async () => {
  const logger: FastifyBaseLogger = createLogger('debug', logs.stream)
  app = Fastify({ loggerInstance: logger })
  installErrorHandling(app)
  app.addHook('onError', async (req) => {
    socketBytesReadAtRefusal = req.raw.socket.bytesRead
  })
  // As the registration route registers it: on its own scope, with exactly these limits and the hook.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: registrationMultipartLimits(LIMITS) })
    scope.addHook('onError', refusedUploadHook(registrationUploadBytes(LIMITS)))
    scope.post('/registrations', handler)
  })
  // The same route without the hook, to show the reader alone never leaves a connection stuck.
  await app.register(
    async (scope) => {
      await scope.register(multipart, { limits: registrationMultipartLimits(LIMITS) })
      scope.post('/registrations', handler)
    },
    { prefix: '/without-hook' },
  )
  await app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})

async function handler(req: FastifyRequest) {
  const { fields, files } = await readRegistrationMultipart(req, LIMITS)
  const inspect = new URL(req.url, 'http://x').searchParams.has('inspect')
  const received: Record<string, { bytes: number; sha256: string; format?: string }> = {}
  for (const [field, bytes] of [
    ['ktp', files.ktp],
    ['selfie', files.selfie],
  ] as const) {
    if (bytes === undefined) continue
    const maxBytes = field === 'ktp' ? LIMITS.ktpMaxBytes : LIMITS.selfieMaxBytes
    const format = inspect ? (await inspectImage(bytes, field, { maxBytes })).format : undefined
    received[field] = { bytes: bytes.length, sha256: sha256(bytes), ...(format ? { format } : {}) }
  }
  return { fields, files: received }
}

afterAll(async () => {
  // Would wait for any connection a refusal left stuck (until the hook timeout fails the file).
  await app.close()
})

interface Answer {
  status: number
  body: {
    code?: string
    detail?: string
    errors?: Array<{ path: string; message: string }>
    fields?: Record<string, string>
    files?: Record<string, { bytes: number; sha256: string; format?: string }>
  }
}

/** Sends a real multipart body (undici builds it, boundary and all) and reads the answer. */
async function post(form: FormData, query = ''): Promise<Answer> {
  const response = await fetch(`${base}/registrations${query}`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, body: (await response.json()) as Answer['body'] }
}

function form(files: Record<string, [Uint8Array, string, string?]>, fields: Record<string, string> = FIELDS) {
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.append(name, value)
  for (const [name, [bytes, filename, type]] of Object.entries(files)) {
    data.append(name, new Blob([bytes], { type: type ?? 'application/octet-stream' }), filename)
  }
  return data
}

describe('readRegistrationMultipart over a real socket', () => {
  it('reads the fields and both images, byte for byte', async () => {
    const ktp = await fixtures.validJpeg()
    const selfie = await fixtures.validPng()
    const answer = await post(
      form({ ktp: [ktp, 'ktp.jpg', 'image/jpeg'], selfie: [selfie, 'me.png', 'image/png'] }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body.fields).toEqual(FIELDS)
    expect(answer.body.files).toEqual({
      ktp: { bytes: ktp.length, sha256: sha256(ktp) },
      selfie: { bytes: selfie.length, sha256: sha256(selfie) },
    })
  })

  it('accepts a PNG named .jpg and declared image/jpeg; inspectImage calls it a PNG', async () => {
    const png = await fixtures.validPng()
    const answer = await post(form({ ktp: [png, 'ktp.jpg', 'image/jpeg'] }), '?inspect')
    expect(answer.status).toBe(200)
    expect(answer.body.files?.ktp).toMatchObject({ bytes: png.length, format: 'png' })
  })

  it('passes a PDF named .jpg through this layer, and inspectImage refuses it', async () => {
    const pdf = await fixtures.pdf()
    const collected = await post(form({ ktp: [pdf, 'ktp.jpg', 'image/jpeg'] }))
    expect(collected.status).toBe(200)
    expect(collected.body.files?.ktp?.sha256).toBe(sha256(pdf))
    const inspected = await post(form({ ktp: [pdf, 'ktp.jpg', 'image/jpeg'] }), '?inspect')
    expect(inspected.status).toBe(400)
    expect(inspected.body.errors).toEqual([{ path: 'ktp', message: 'must be a JPEG or PNG image' }])
  })

  it('accepts each file exactly at its own cap', async () => {
    const answer = await post(
      form({
        ktp: [Buffer.alloc(LIMITS.ktpMaxBytes, 1), 'k.jpg'],
        selfie: [Buffer.alloc(LIMITS.selfieMaxBytes, 2), 's.jpg'],
      }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body.files?.ktp?.bytes).toBe(LIMITS.ktpMaxBytes)
    expect(answer.body.files?.selfie?.bytes).toBe(LIMITS.selfieMaxBytes)
  })

  it.each([
    ['ktp', LIMITS.ktpMaxBytes, 'must be at most 2 MB'],
    ['selfie', LIMITS.selfieMaxBytes, 'must be at most 1 MB'],
  ])('refuses %s one byte over its own cap with 413', async (field, cap, message) => {
    const answer = await post(form({ [field]: [Buffer.alloc(cap + 1, 3), 'photo.jpg'] }))
    expect(answer.status).toBe(413)
    expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE')
    expect(answer.body.errors).toEqual([{ path: field, message }])
  })

  it('refuses an oversized file while it streams: 50 MB sent at a 2 MB cap', async () => {
    const result = await streamOversizedKtp(50 * MB)
    expect(result.status).toBe(413)
    expect(JSON.parse(result.body)).toMatchObject({
      errors: [{ path: 'ktp', message: 'must be at most 2 MB' }],
    })
    // The server decided after reading the cap and a few socket chunks, not the 50 MB...
    expect(socketBytesReadAtRefusal).toBeGreaterThan(LIMITS.ktpMaxBytes)
    expect(socketBytesReadAtRefusal).toBeLessThan(LIMITS.ktpMaxBytes + MB)
    // ...and answered while the client was still far from done (the rest sits in kernel buffers).
    expect(result.sentWhenAnswered).toBeLessThan(20 * MB)
    expect(result.connection).toBe('close')
    console.info(
      `50 MB upload at a 2 MB cap: refused after the server read ${(socketBytesReadAtRefusal / MB).toFixed(2)} MB; ` +
        `client had written ${(result.sentWhenAnswered / MB).toFixed(2)} MB when the 413 arrived`,
    )
  })

  it('refuses a file part other than ktp and selfie, naming it', async () => {
    const answer = await post(
      form({ ktp: [await fixtures.validJpeg(), 'k.jpg'], passport: [Buffer.alloc(5000), 'p.jpg'] }),
    )
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      { path: 'passport', message: 'is not an accepted file part (only ktp and selfie are)' },
    ])
  })

  it('refuses a second ktp', async () => {
    const data = form({ ktp: [Buffer.alloc(1000, 1), 'a.jpg'] })
    data.append('ktp', new Blob([Buffer.alloc(1000, 2)]), 'b.jpg')
    const answer = await post(data)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([{ path: 'ktp', message: 'must be sent once' }])
  })

  it('refuses a repeated text field', async () => {
    const data = form({})
    data.append('email', 'other@example.co.id')
    const answer = await post(data)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([{ path: 'email', message: 'must be sent once' }])
  })

  it('refuses an image sent as a text field', async () => {
    const answer = await post(form({}, { ...FIELDS, ktp: 'iVBORw0KGgo=' }))
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([{ path: 'ktp', message: 'must be sent as a file part' }])
  })

  it('refuses a text field longer than maxFieldBytes with 413 instead of passing on a cut value', async () => {
    const answer = await post(form({}, { ...FIELDS, name: 'a'.repeat(LIMITS.maxFieldBytes + 1) }))
    expect(answer.status).toBe(413)
    expect(answer.body.errors).toEqual([{ path: 'name', message: 'must be at most 256 bytes' }])
  })

  it('refuses 1,000 fields with 413', async () => {
    const fields = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, 'x']))
    const answer = await post(form({}, fields))
    expect(answer.status).toBe(413)
    expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('refuses a third file with 413', async () => {
    const answer = await post(
      form({ ktp: [Buffer.alloc(10), 'a'], selfie: [Buffer.alloc(10), 'b'], other: [Buffer.alloc(10), 'c'] }),
    )
    expect(answer.status).toBe(413)
  })

  it.each([
    ['multipart without a boundary', 'multipart/form-data', 400, 'MALFORMED_BODY'],
    ['a body that stops mid-part', 'multipart/form-data; boundary=xyz', 400, 'MALFORMED_BODY'],
    ['text/plain', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s', async (_case, contentType, status, code) => {
    const response = await request(`${base}/registrations`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nSiti',
      signal: AbortSignal.timeout(10_000),
    })
    expect(response.statusCode).toBe(status)
    expect(await response.body.json()).toMatchObject({ code })
  })

  it.each([
    [
      'with the hook (a body an acceptable form could weigh is drained, the connection kept)',
      '/registrations',
    ],
    ['without it (the rest of the body is read into the void)', '/without-hook/registrations'],
  ])('leaves no connection stuck after a refusal mid-body, %s', async (_case, path) => {
    const client = new Client(base, { pipelining: 1 })
    try {
      const send = async (data: FormData) => {
        const response = await client.request({
          path,
          method: 'POST',
          body: data,
          signal: AbortSignal.timeout(5_000),
        })
        await response.body.dump()
        return { status: response.statusCode, connection: response.headers.connection }
      }
      // The refusal comes at `passport`; the 300 KB ktp behind it is never read by the parser, but the
      // client reads the 400 once it has sent it (a close under a client still writing is an EPIPE).
      expect(
        await send(form({ passport: [Buffer.alloc(10), 'p.jpg'], ktp: [Buffer.alloc(300_000, 1), 'k.jpg'] })),
      ).toEqual({ status: 400, connection: 'keep-alive' })
      // The next request goes on the same client: a connection left waiting for that body would hang it.
      expect((await send(form({ ktp: [await fixtures.validJpeg(), 'k.jpg'] }))).status).toBe(200)
    } finally {
      await client.close()
    }
  })

  it('closes the connection after a refusal when the declared body is larger than any acceptable form', async () => {
    const boundary = 'identity-test-boundary'
    const head = multipartHead(boundary, {}, { name: 'ktp', filename: 'ktp.jpg', contentType: 'image/jpeg' })
    const total = registrationUploadBytes(LIMITS) + MB
    const result = await streamOversizedPart(`${base}/registrations`, {
      head,
      boundary,
      total,
      declareLength: true,
    })
    expect(result.status).toBe(413)
    expect(result.connection).toBe('close')
  })

  it('keeps serving after every refusal, and never logs image bytes or field values', async () => {
    const ktp = await fixtures.validJpeg()
    const answer = await post(form({ ktp: [ktp, 'ktp.jpg'] }))
    expect(answer.status).toBe(200)
    const logged = logs.text()
    expect(logged).toContain('request refused')
    for (const secret of [ktp.subarray(100, 140).toString('base64'), FIELDS.nik, FIELDS.dob]) {
      expect(logged).not.toContain(secret)
    }
  })
})

/** Streams one `ktp` part of `total` bytes; see streamOversizedPart. */
function streamOversizedKtp(total: number): Promise<StreamedAnswer> {
  const boundary = 'identity-test-boundary'
  const head = multipartHead(boundary, {}, { name: 'ktp', filename: 'ktp.jpg', contentType: 'image/jpeg' })
  return streamOversizedPart(`${base}/registrations`, { head, boundary, total })
}
