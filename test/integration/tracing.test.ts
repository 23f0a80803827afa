import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTracing, type Tracing } from '../../src/observability/tracing.js'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { registerTokenOf } from '../helpers/privy-tokens.js'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js'

const exporter = new InMemorySpanExporter()
let tracing: Tracing
let receiver: WebhookReceiver

// Registered before the gateway's hooks, so tracing is on before it starts and off after it closed.
beforeAll(async () => {
  // What server.ts does with OTEL_EXPORTER_OTLP_ENDPOINT, with the SDK's in-memory exporter.
  tracing = startTracing({ processor: new SimpleSpanProcessor(exporter), serviceName: 'privy-gateway-test' })
  receiver = await startWebhookReceiver(() => 204)
})
afterAll(async () => {
  await receiver?.close()
  await tracing?.shutdown()
})
const gateway = useGateway({
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE_MS: '0',
})

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER_SPAN = '00f067aa0ba902b7'

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** The finished spans of `traceId`, once `until` holds for them. */
const spansOfTrace = (traceId: string, until: (spans: ReadableSpan[]) => boolean) =>
  eventually(
    () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId),
    until,
  )

describe('OpenTelemetry traces', () => {
  it('traces one registration: request > Privy call > HTTP attempt, database spans, no PII', async () => {
    const operator = await clientFor(gateway, 'operator')
    await operator.webhookEndpoints.create({ url: `${receiver.url}/hooks` })
    const person = { name: 'Dewi Lestari', email: 'dewi.trace@example.co.id', phone: '6281311112222' }
    const user = await clientFor(gateway, 'user-trace')
    const created = await user.registrations
      .create(
        { registration_type: 'landing_page', ...person },
        { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } },
      )
      .withResponse()
    expect(created.response.status).toBe(201)

    const spans = await spansOfTrace(CALLER_TRACE, (found) =>
      found.some((span) => span.name === 'POST /v1/registrations'),
    )
    const request = spans.find((span) => span.name === 'POST /v1/registrations')
    expect(request).toBeDefined()
    // The caller's trace continues: its span is the parent of the gateway's.
    expect(parentOf(request as ReadableSpan)).toBe(CALLER_SPAN)
    expect(request?.attributes['http.route']).toBe('/v1/registrations')
    expect(request?.attributes['http.response.status_code']).toBe(201)

    const privyCall = spans.find((span) => span.name === 'privy registrations.register')
    expect(privyCall).toBeDefined()
    expect(parentOf(privyCall as ReadableSpan)).toBe(request?.spanContext().spanId)
    const attempts = spans.filter((span) => span.name === 'HTTP POST')
    // The register call's own attempt is a child of the call (a token fetch may sit beside it).
    expect(attempts.some((span) => parentOf(span) === privyCall?.spanContext().spanId)).toBe(true)

    // Prisma's spans (@prisma/instrumentation through the driver adapter) sit in the same trace.
    const database = spans.filter((span) => span.name.startsWith('prisma:'))
    expect(database.length).toBeGreaterThan(0)
    const ids = new Set(spans.map((span) => span.spanContext().spanId))
    expect(database.every((span) => ids.has(parentOf(span) ?? ''))).toBe(true)

    // No attribute of any span holds what the person sent, Privy's token or a secret.
    const registerToken = (await registerTokenOf(gateway, created.data.id)) ?? ''
    expect(registerToken).not.toBe('')
    const attributes = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]))
    for (const secret of [...Object.values(person), registerToken, ...gateway.secrets]) {
      expect(attributes).not.toContain(secret)
    }

    // The traceparent Privy got names this trace.
    const upstream = await gateway.sim('GET', '/__sim/requests?path=/web/api/v2/register')
    const sent = upstream.json.requests.map((entry: { traceparent: string | null }) => entry.traceparent)
    expect(sent.some((value: string | null) => value?.startsWith(`00-${CALLER_TRACE}-`))).toBe(true)

    // Every log line of the request carries its trace id.
    const lines = gateway.logs.lines
      .map((line) => JSON.parse(line) as { reqId?: string; trace_id?: string })
      .filter((line) => line.reqId === created.response.headers.get('x-request-id'))
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.every((line) => line.trace_id === CALLER_TRACE)).toBe(true)

    // The registration.updated webhook, sent later by the dispatcher's loop, continues the same
    // trace: the receiver's traceparent names it, and the delivery span hangs in its tree.
    const delivered = await eventually('the registration webhook', () =>
      receiver.received.find((entry) => entry.body.includes(created.data.id)),
    )
    expect(delivered.headers.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`))
    const traced = await spansOfTrace(CALLER_TRACE, (found) =>
      found.some((span) => span.name === 'webhook registration.updated'),
    )
    const delivery = traced.find((span) => span.name === 'webhook registration.updated')
    expect(delivery).toBeDefined()
    const tree = new Set(traced.map((span) => span.spanContext().spanId))
    expect(tree.has(parentOf(delivery as ReadableSpan) ?? '')).toBe(true)
    const post = traced.find((span) => parentOf(span) === delivery?.spanContext().spanId)
    expect(post?.name).toBe('HTTP POST')
    expect(delivered.headers.traceparent).toContain(`-${post?.spanContext().spanId}-`)
  })
})
