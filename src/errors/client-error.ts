import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ERROR_CODES, type ErrorCode } from './error-codes.js'
import { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.js'

/**
 * Node's own refusals, before there is a request: a request line or header that is not HTTP (400),
 * headers that do not arrive within HEADERS_TIMEOUT_MS (408), headers over Node's 16 KiB (431), chunk
 * extensions over Node's limit (413). Node, and Fastify's default handler, answer those with a bare
 * status or their own JSON; here they are problems like every other answer, with a stable code, a
 * request id that the log line carries too, and the security headers.
 *
 * The socket may be half-dead, so the answer is written carefully:
 * - only when the socket can still be written to, and no response to an earlier request on it is
 *   in progress or queued (a pipelined request): an answer must never be taken for another one's;
 * - as one complete message with Content-Length and `Connection: close`, then a half-close, so the
 *   client reads all of it before the connection ends. Closing at once with the client's bytes still
 *   unread would reset the connection, and a reset can throw away the answer before it is read (the
 *   431 case, where the client is still sending headers);
 * - the client gets LINGER_MS to close its side; then the socket is destroyed whatever it does, so a
 *   refused connection holds nothing for long;
 * - the parser that failed reports every further chunk as another error: only the first is answered.
 *
 * The log line names the code and Node's reason, never the bytes received (`rawPacket` holds the
 * client's headers, tokens included).
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
