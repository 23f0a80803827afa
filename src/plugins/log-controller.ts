import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/**
 * Fastify's request log lines, with one change: a streamed answer (the signed PDF) whose client hung
 * up after it had every byte is not a problem. Fastify reports any close before the socket finished as
 * "stream closed prematurely"; with a Content-Length the client knows it has the whole body and may
 * close at once, so a successful download logged a failure. Now: when the whole body was handed to
 * the socket it is a debug line; a client that left mid-body is still reported (info), and any other
 * stream error still warns.
 */
export class GatewayLogController extends LogController {
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
