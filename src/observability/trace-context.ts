import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'

/**
 * Carrying a trace across the outbox: an event remembers the W3C `traceparent` of the span that
 * caused it, and its deliveries, sent later by a background loop, continue that trace, so a receiver
 * and an operator see the webhook in the trace of the request that made the change. Only the API
 * package: without a tracer provider (OTEL_EXPORTER_OTLP_ENDPOINT unset) both are no-ops.
 */

/** The active span's `traceparent`, or null when nothing is being traced. */
export function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  return carrier.traceparent ?? null
}

/**
 * Runs `work` inside a `name` span whose parent is `traceparent` (the span the event was recorded
 * in), or the active context when there is none; the HTTP request it sends is a child of that span.
 */
export function withStoredParent<T>(
  traceparent: string | null,
  name: string,
  attributes: Record<string, string | number | boolean>,
  work: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active()
  return trace
    .getTracer('privy-gateway')
    .startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent, async (span) => {
      try {
        return await work()
      } finally {
        span.end()
      }
    })
}
