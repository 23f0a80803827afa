import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/**
 * Fastify's request log lines, with two changes.
 *
 * One access line per request: the completion line carries the request (`req`: method, scrubbed URL,
 * request id) beside `res` and `responseTime`, so a request without a body, whose answer follows at
 * once, writes no "incoming request" line at info (it still does at debug). A request with a body
 * (an upload, which may take seconds to arrive) is still announced when it arrives. At info each line
 * was a quarter of a status read's logging cost, and often a write to stdout of its own (README,
 * Benchmark).
 *
 * A streamed answer (the signed PDF) whose client hung up after it had every byte is not a problem.
 * Fastify reports any close before the socket finished as "stream closed prematurely"; with a
 * Content-Length the client knows it has the whole body and may close at once, so a successful
 * download logged a failure. Now: when the whole body was handed to the socket it is a debug line; a
 * client that left mid-body is still reported (info), and any other stream error still warns.
 */
export class GatewayLogController extends LogController {
  override incomingRequest(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (hasBody(request)) request.log.info({ req: request }, 'incoming request')
    else request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      )
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
    }
  }

  override streamError(
    error: Error,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      super.streamError(error, request, reply, metadata)
      return
    }
    if (this.isLogDisabled(request)) return
    if (reply.raw.writableEnded) {
      reply.log.debug({ res: reply }, 'the client closed the connection after the whole response')
    } else {
      reply.log.info({ res: reply }, 'the client closed the connection before the whole response was sent')
    }
  }
}

/** A body is announced (chunked, or a non-zero Content-Length): it may take long to arrive. */
function hasBody(request: FastifyRequest): boolean {
  const { headers } = request
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}
