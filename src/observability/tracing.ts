import { subscribe } from 'node:diagnostics_channel'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { PrismaInstrumentation } from '@prisma/instrumentation'
import type { FastifyInstance } from 'fastify'
import type { PrivyClient } from '../privy/index.js'

const TRACER = 'privy-gateway'

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `${endpoint}/v1/traces` over OTLP/HTTP. */
  endpoint?: string
  serviceName?: string
  /** Instead of the OTLP exporter (tests: the SDK's InMemorySpanExporter, with a SimpleSpanProcessor). */
  processor?: SpanProcessor
}

export interface Tracing {
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>
}

/**
 * Process-wide, as OpenTelemetry is: the tracer provider (with its AsyncLocalStorage context and W3C
 * traceparent propagation), Prisma's own spans (@prisma/instrumentation: it works with the driver
 * adapters, its spans come from the client, not from an engine), and `traceparent` on every request
 * undici sends (Privy, webhook receivers). Called by src/server.ts only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; without it nothing here runs and every span is a no-op.
 */
export function startTracing(options: TracingOptions): Tracing {
  const processor =
    options.processor ??
    new BatchSpanProcessor(
      new OTLPTraceExporter({
        url: `${(options.endpoint ?? '').replace(/\/+$/, '')}/v1/traces`,
      }) as SpanExporter,
    )
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'privy-gateway' }),
    spanProcessors: [processor],
  })
  provider.register()
  const prisma = new PrismaInstrumentation()
  prisma.setTracerProvider(provider)
  prisma.enable()
  subscribe('undici:request:create', injectTraceparent)
  subscribe('undici:request:headers', endClientSpan)
  subscribe('undici:request:error', endClientSpan)
  return {
    async shutdown() {
      prisma.disable()
      await provider.shutdown()
    },
  }
}

interface UndiciRequest {
  method: string
  origin: string
  /** undici 7 keeps them as a flat [name, value, ...] list (a raw string in older versions). */
  headers: string[] | string
  addHeader(name: string, value: string): unknown
}
interface UndiciMessage {
  request: UndiciRequest
  response?: { statusCode: number }
  error?: unknown
}

const clientSpans = new WeakMap<object, Span>()

/**
 * One CLIENT span per HTTP request undici sends, child of the span in hand (a Privy call, a request)
 * or a root of its own (a webhook delivery from a background loop), and its `traceparent` on the
 * request. Host and method only: a webhook URL's path or query may hold the merchant's secrets.
 */
function injectTraceparent(message: unknown): void {
  const { request } = message as UndiciMessage
  // A caller that propagates a context of its own keeps it.
  if (hasTraceparent(request.headers)) return
  const span = trace.getTracer(TRACER).startSpan(`HTTP ${request.method}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': request.method, 'server.address': hostOf(request.origin) },
  })
  clientSpans.set(request, span)
  const carrier: Record<string, string> = {}
  propagation.inject(trace.setSpan(context.active(), span), carrier)
  for (const [name, value] of Object.entries(carrier)) request.addHeader(name, value)
}

function endClientSpan(message: unknown): void {
  const { request, response, error } = message as UndiciMessage
  const span = clientSpans.get(request)
  if (!span) return
  clientSpans.delete(request)
  if (response) span.setAttribute('http.response.status_code', response.statusCode)
  if (error !== undefined || (response && response.statusCode >= 500)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) })
  }
  span.end()
}

function hasTraceparent(headers: string[] | string): boolean {
  if (typeof headers === 'string') return /^traceparent:/im.test(headers)
  for (let index = 0; index < headers.length; index += 2) {
    if (headers[index]?.toLowerCase() === 'traceparent') return true
  }
  return false
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname
  } catch {
    return 'unknown'
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined
}

const serverSpans = new WeakMap<IncomingMessage, Span>()

/**
 * A SERVER span per request, continuing the caller's `traceparent`, around everything Fastify does
 * for it: the request and response emitters are bound to its context, so body parsing, hooks and
 * handlers (and what they log, see log-fields.ts) run inside it. Named by route template, never
 * the URL, which may carry ids or a caller's mistakes.
 */
export function traceRequests(app: FastifyInstance): void {
  const server = app.server
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>
  server.removeAllListeners('request')
  const tracer = trace.getTracer(TRACER)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers)
    const method = req.method ?? 'GET'
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
      parent,
    )
    serverSpans.set(req, span)
    const active: Context = trace.setSpan(parent, span)
    context.bind(active, req)
    context.bind(active, res)
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode)
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    })
    context.with(active, () => {
      for (const handler of handlers) handler.call(server, req, res)
    })
  })
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url
    const span = serverSpans.get(request.raw)
    if (span && route !== undefined) {
      span.updateName(`${request.method} ${route}`)
      span.setAttribute('http.route', route)
    }
    done()
  })
}

/**
 * A CLIENT span per Privy call (`privy registrations.register`), around its retries and token fetch,
 * with the operation's name only: never an argument, an answer, a token or a key. A failure is
 * recorded as its error class (PrivyTimeoutError...), never its message, which may quote Privy.
 */
export function tracePrivy(privy: PrivyClient): PrivyClient {
  const tracer = trace.getTracer(TRACER)
  const wrap = <T extends object>(resource: string, target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver)
        if (typeof key !== 'string') return value
        const operation = `${resource}.${key}`
        // `registrations.otp`, `documents.otp`: resources within resources.
        if (typeof value === 'object' && value !== null) return wrap(operation, value)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) =>
          tracer.startActiveSpan(
            `privy ${operation}`,
            { kind: SpanKind.CLIENT, attributes: { 'privy.operation': operation } },
            async (span) => {
              try {
                return await value.apply(object, args)
              } catch (error) {
                span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) })
                throw error
              } finally {
                span.end()
              }
            },
          )
      },
    })
  return {
    registrations: wrap('registrations', privy.registrations),
    documents: wrap('documents', privy.documents),
    getAccessToken: () => privy.getAccessToken(),
    close: () => privy.close(),
  }
}
