/**
 * The fast upstream of `npm run bench`: answers Privy's two status calls and the registration OTP send at once, from the request
 * alone (no state, no signature check), so what is measured is the contender in front of it, not
 * Privy. Every other call (the OAuth token, registration, OTP, upload) goes on to the real simulator
 * at SIM_URL, whose answers the gateway needs to be real.
 *
 * The answers never change a seeded record: a registration stays `waiting_verification` with the
 * seed's `updated_at`, a document stays `processing` with no signer moving (see bench/seed.ts).
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Pool } from 'undici'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'

/** Privy's `updated_at` of every seeded registration (bench/seed.ts writes the same instant). */
export const STUB_UPSTREAM_UPDATED_AT = '2026-01-01T08:00:00+07:00'
export const STUB_DOCUMENT_STATUS = 'processing'
export const STUB_REGISTRATION_STATUS = 'waiting_verification'

/** Uploads pass through as base64 JSON: 64 MiB is well above the gateway's own document limit. */
const MAX_BODY_BYTES = 64 * 1024 * 1024

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function answer(response: ServerResponse, data: Record<string, unknown>): void {
  const body = JSON.stringify({ message: 'OK', data })
  response.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  response.end(body)
}

function statusAnswer(path: string, body: Record<string, unknown>): Record<string, unknown> | null {
  const base = { reference_number: body.reference_number, channel_id: DEV_CREDENTIALS.channelId }
  if (path === '/web/api/v2/register/status') {
    return {
      ...base,
      register_token: body.register_token,
      status: STUB_REGISTRATION_STATUS,
      email: 'be***@example.co.id',
      phone: '62812****7890',
      updated_at: STUB_UPSTREAM_UPDATED_AT,
    }
  }
  if (path === '/web/api/v2/doc-signing/status') {
    return {
      ...base,
      document_token: body.document_token,
      status: STUB_DOCUMENT_STATUS,
      signing_url: 'https://sign.example.invalid/bench',
      signers: [],
    }
  }
  if (path === '/web/api/v2/register/otp') {
    // An OTP "sent" for a seeded waiting_otp registration (bench/seed.ts): the gateway's own work is
    // what the OTP send bench measures, not the simulator's.
    const now = Date.now()
    return {
      transaction_id: `otp-${randomUUID()}`,
      otp_channel: body.otp_channel,
      expired_at: new Date(now + 300_000).toISOString(),
      resend_available_at: new Date(now + 60_000).toISOString(),
      request_count: 1,
      maximum_otp_request: 5,
    }
  }
  return null
}

async function main() {
  const simulator = new Pool(process.env.SIM_URL ?? 'http://127.0.0.1:1', { connections: 16 })
  const server = createServer(async (request, response) => {
    try {
      const raw = await readBody(request)
      const path = request.url ?? '/'
      if (request.method === 'POST') {
        const data = statusAnswer(path, raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {})
        if (data) return answer(response, data)
      }
      const headers = { ...request.headers }
      delete headers.host
      delete headers.connection
      const forwarded = await simulator.request({
        path,
        method: (request.method ?? 'GET') as 'GET',
        headers,
        body: raw.length > 0 ? raw : undefined,
      })
      const body = Buffer.from(await forwarded.body.arrayBuffer())
      const type = forwarded.headers['content-type']
      response.writeHead(forwarded.statusCode, typeof type === 'string' ? { 'content-type': type } : {})
      response.end(body)
    } catch (error) {
      response.writeHead(502, { 'content-type': 'text/plain' })
      response.end(String(error))
    }
  })
  server.keepAliveTimeout = 60_000
  server.listen(Number(process.env.STUB_PORT), '127.0.0.1')
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

if (process.env.STUB_PORT) await main()
