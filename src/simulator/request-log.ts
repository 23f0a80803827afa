import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'
import type { FaultKind, RequestLogEntry } from './state.js'

export function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url
}

/** The test surface and the user's landing and signing pages are not calls of a Privy client. */
function isApiCall(path: string): boolean {
  return !path.startsWith('/__sim') && !path.startsWith('/registration/') && !path.startsWith('/sign/')
}

/**
 * Records every upstream API call (method, path, answered status, Request-ID, time) so tests can
 * count retries and attempts. Bodies and credentials are never recorded.
 */
export class RequestLog {
  private readonly entries = new WeakMap<FastifyRequest, RequestLogEntry>()

  constructor(private readonly context: SimContext) {}

  /** Register before the fault hooks, so that a dropped or faulted call is logged too. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request) => {
      const path = requestPath(request)
      if (!isApiCall(path)) return
      const requestId = request.headers['request-id']
      const { traceparent } = request.headers
      const entry: RequestLogEntry = {
        method: request.method,
        path,
        status: null,
        request_id: typeof requestId === 'string' ? requestId.slice(0, 200) : null,
        traceparent: typeof traceparent === 'string' ? traceparent.slice(0, 64) : null,
        at: this.context.now().toISOString(),
        fault: null,
      }
      this.entries.set(request, entry)
      this.context.state.logRequest(entry)
    })
    app.addHook('onResponse', async (request, reply) => {
      const entry = this.entries.get(request)
      if (entry !== undefined && entry.fault !== 'drop') entry.status = reply.statusCode
    })
  }

  markFault(request: FastifyRequest, kind: FaultKind): void {
    const entry = this.entries.get(request)
    if (entry !== undefined) entry.fault = kind
  }
}
