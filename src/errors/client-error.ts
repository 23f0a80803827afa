import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ERROR_CODES, type ErrorCode } from './error-codes.js'
import { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.js'

/**
 * Node's own refusals, before there is a request (400, 408, 431, 413), answered as problems like every
 * other answer, written carefully on a socket that may be half-dead: one complete message, a half-close,
 * LINGER_MS for the client, only the first error answered, never the bytes received in the log.
 * Why each step: docs/decisions/client-errors.md.
 */
const LINGER_MS = 1_000

const answered = new WeakSet<Socket>()

interface Refusal {
  code: ErrorCode
  detail: string
}

function refusalOf(error: ConnectionError): Refusal {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_HEADERS_TIMEOUT', detail: 'The request headers did not arrive in time' }
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'HEADERS_TOO_LARGE',
        detail: `The request line and headers are larger than ${maxHeaderSize} bytes`,
      }
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'PAYLOAD_TOO_LARGE', detail: 'The chunk extensions of the body are too large' }
    default:
      return { code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP/1.1' }
  }
}

/** The raw HTTP/1.1 answer: status line, headers, problem body. */
export function clientErrorResponse(refusal: Refusal, requestId: string, headers: Record<string, string>) {
  const { status, title } = ERROR_CODES[refusal.code]
  const problem: Problem = {
    type: problemType(refusal.code),
    title,
    status,
    detail: refusal.detail,
    code: refusal.code,
    request_id: requestId,
  }
  const body = Buffer.from(JSON.stringify(problem), 'utf8')
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${body.length}`,
    'connection: close',
    `x-request-id: ${requestId}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body])
}

/**
 * Node's server options for the 408: a request head still incomplete after `headersTimeoutMs` is
 * refused, so a slow client (slowloris) holds no socket for long. Node looks for those every
 * `connectionsCheckingInterval` (30 s by default): a tenth of the timeout keeps the answer within
 * 10 % of it, at the cost of a walk over the open connections that often.
 */
export function headersTimeoutOptions(headersTimeoutMs: number) {
  return {
    headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(headersTimeoutMs / 10))),
  }
}

/** Fastify's `clientErrorHandler`, with the headers every answer carries. */
export function createClientErrorHandler(headers: Record<string, string>) {
  return function handleClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
    answerClientError(error, socket, headers, this.log)
  }
}

export function answerClientError(
  error: ConnectionError,
  socket: Socket,
  headers: Record<string, string>,
  log: FastifyBaseLogger,
): void {
  if (answered.has(socket)) return
  answered.add(socket)
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy()
    return
  }
  const refusal = refusalOf(error)
  const requestId = randomUUID()
  // Node marks the response it is writing (or the first of those waiting) on the socket itself.
  const responseInFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage != null
  const answering = socket.writable && !responseInFlight
  log.info(
    { code: refusal.code, reason: error.code, request_id: requestId, answered: answering },
    'client error: the HTTP request was refused before it was read',
  )
  if (!answering) {
    socket.destroy()
    return
  }
  const linger = setTimeout(() => socket.destroy(), LINGER_MS)
  linger.unref()
  socket.once('close', () => clearTimeout(linger))
  try {
    socket.end(clientErrorResponse(refusal, requestId, headers))
    // Whatever the client still sends is read and dropped, so the close is a FIN, not a reset.
    socket.resume()
  } catch {
    socket.destroy()
  }
}
