import { connect } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { useGateway } from '../helpers/gateway.js'
import { internalLeaks } from '../helpers/response-hygiene.js'

/**
 * Node's own answers to malformed HTTP (issue 10, item 7): what Node refuses before there is a
 * request, over a raw TCP socket, since no HTTP client sends such bytes. Each is problem+json with a
 * stable code, the request id it was logged with, the security headers, and nothing of Node's.
 */

const HEADERS_TIMEOUT_MS = 600

let port = 0

const gateway = useGateway({ HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) })
beforeAll(async () => {
  port = Number(new URL(gateway.url).port)
})

interface RawAnswer {
  /** Every byte the gateway sent before the connection closed. */
  raw: string
  status: number
  headers: Record<string, string>
  body: string
  /** How the connection ended: the gateway's FIN, or a reset. */
  ended: 'closed' | 'reset'
  elapsedMs: number
}

/**
 * Writes `chunks` (the last one may be left unfinished) and reads until the gateway closes;
 * `afterAnswer` is written once the first bytes of the answer have arrived (a client still sending).
 */
function exchange(chunks: Array<string | Buffer>, afterAnswer?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let ended: RawAnswer['ended'] = 'closed'
    socket.on('connect', () => {
      for (const chunk of chunks)
        socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)
    })
    socket.on('data', (data) => {
      if (received.length === 0 && afterAnswer !== undefined) socket.write(afterAnswer)
      received.push(data)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') ended = 'reset'
      else reject(error)
    })
    socket.on('close', () => {
      const raw = Buffer.concat(received).toString('utf8')
      const [head = '', ...rest] = raw.split('\r\n\r\n')
      const [statusLine = '', ...headerLines] = head.split('\r\n')
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':')
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
        }),
      )
      const status = Number(statusLine.split(' ')[1])
      resolve({ raw, status, headers, body: rest.join('\r\n\r\n'), ended, elapsedMs: Date.now() - started })
    })
  })
}

function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect(answer.status, answer.raw.slice(0, 400)).toBe(status)
  expect(answer.headers['content-type']).toBe('application/problem+json')
  expect(answer.headers.connection).toBe('close')
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body))
  const problem = JSON.parse(answer.body)
  expect(problem).toMatchObject({ status, code, type: expect.stringMatching(/^urn:privy-gateway:problem:/) })
  expect(problem.request_id).toBe(answer.headers['x-request-id'])
  expect(answer.headers['x-content-type-options']).toBe('nosniff')
  expect(answer.headers['cache-control']).toBe('no-store')
  // Nothing of Node's or Fastify's own wording, no parser codes, no internals.
  expect(answer.raw).not.toMatch(/HPE_|ERR_HTTP|Client Error|Client Timeout|statusCode/)
  expect(internalLeaks(answer.raw)).toEqual([])
  // The answer was read whole: the gateway half-closed after it rather than resetting the connection.
  expect(answer.ended).toBe('closed')
  return problem
}

function loggedRefusal(requestId: string): Record<string, unknown> | undefined {
  return gateway.logs.lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((entry) => entry.request_id === requestId)
}

describe("Node's own refusals, as problem+json", () => {
  it('answers a request line that is not HTTP 400 MALFORMED_REQUEST, and logs it by its request id', async () => {
    const answer = await exchange(['HELLO THERE\r\n\r\n'])
    const problem = expectProblem(answer, 400, 'MALFORMED_REQUEST')
    expect(loggedRefusal(problem.request_id)).toMatchObject({ code: 'MALFORMED_REQUEST', answered: true })
  })

  it('answers a control character in a header value, a bad header name and a smuggling attempt 400', async () => {
    const secret = 'Bearer token-that-must-not-be-logged'
    for (const request of [
      `GET /health/live HTTP/1.1\r\nHost: x\r\nAuthorization: ${secret}\r\nX-Note: a\u0000b\r\n\r\n`,
      'GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
      'POST /v1/otp HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n{}{}',
      'POST /v1/otp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n',
    ]) {
      const answer = await exchange([request])
      expectProblem(answer, 400, 'MALFORMED_REQUEST')
    }
    // The bytes received (`rawPacket`) are never logged: they hold the caller's credentials.
    expect(gateway.logs.text()).not.toContain('token-that-must-not-be-logged')
  })

  it('answers headers larger than Node allows 431 HEADERS_TOO_LARGE, read whole though the client sends on', async () => {
    const head = `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}`
    const answer = await exchange([head], `${'b'.repeat(64 * 1024)}\r\n\r\n`)
    expectProblem(answer, 431, 'HEADERS_TOO_LARGE')
  })

  it(`answers a request whose headers do not arrive in ${HEADERS_TIMEOUT_MS} ms 408 REQUEST_HEADERS_TIMEOUT`, async () => {
    const answer = await exchange(['GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: '])
    expectProblem(answer, 408, 'REQUEST_HEADERS_TIMEOUT')
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50)
  })

  it('leaves an idle kept-alive connection alone: the timeout is for a request head, not for silence', async () => {
    const idle = connect(port, '127.0.0.1')
    const received: string[] = []
    idle.on('data', (data) => received.push(data.toString('latin1')))
    const answered = (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if ((received.join('').match(/HTTP\/1\.1 /g) ?? []).length >= count) resolve()
          else idle.once('data', check)
        }
        check()
      })
    idle.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
    await answered(1)
    // A slow request opened after it times out: the sweep that answered it saw the idle one too.
    const slow = await exchange(['GET /health/live HTTP/1.1\r\nHost: x\r\n'])
    expect(slow.status).toBe(408)
    expect(received.join('')).not.toContain('408')
    idle.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await answered(2)
    expect(received.join('').match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2)
    idle.destroy()
  })

  it('keeps answering well-formed requests, on the same connection too', async () => {
    const answer = await exchange([
      'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ])
    expect(answer.raw.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2)
    const live = await gateway.call('GET', '/health/live')
    expect(live.status).toBe(200)
  })

  it('never answers for another request: garbage after a pipelined request gets no 400 in its place', async () => {
    const answer = await exchange(['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n'])
    // The first request is answered 200, or the connection is closed; a 400 is never taken for its answer.
    expect(answer.raw.startsWith('HTTP/1.1 400')).toBe(false)
  })
})
