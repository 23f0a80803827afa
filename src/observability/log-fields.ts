import { context, trace } from '@opentelemetry/api'

/**
 * pino's `mixin`: the trace and span ids of the span in hand, on every line logged inside it (the
 * request's own logger and app.log alike). Without tracing there is never a span: one lookup in
 * the no-op context manager. A new object each time: pino merges the line's own fields into it.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active())
  if (!span) return {}
  const { traceId, spanId } = span.spanContext()
  return { trace_id: traceId, span_id: spanId }
}
