import { randomBytes } from 'node:crypto'
import type { CreateWebhookEndpointRequest } from '@privy-gateway/client'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, type TestGateway, useGateway } from '../helpers/gateway.js'
import {
  type Answer,
  recordDocumentEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js'

const SCHEDULE = [0, 50, 100, 200, 400]
const ENV = {
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE.join(','),
  WEBHOOK_TIMEOUT_MS: '1000',
}

const cleanup: Array<() => Promise<unknown>> = []
const secrets: string[] = []

const gateway = useGateway(ENV)
afterEach(async () => {
  // Each test's endpoint is removed, so later tests' events do not go to it.
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** The operator's typed client on `on` (this file's gateway, or a test's own). */
const ops = (on: TestGateway = gateway) => clientFor(on, 'operator')

async function endpointFor(
  receiver: WebhookReceiver,
  body: Partial<CreateWebhookEndpointRequest> = {},
  on: TestGateway = gateway,
): Promise<{ id: string; secret: string }> {
  const client = await ops(on)
  const created = await client.webhookEndpoints
    .create({ url: `${receiver.url}/hooks/privy`, ...body })
    .withResponse()
  expect(created.response.status).toBe(201)
  secrets.push(created.data.secret)
  cleanup.push(() =>
    client.raw.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: created.data.id } } }),
  )
  cleanup.push(() => receiver.close())
  return { id: created.data.id, secret: created.data.secret }
}

async function deliveriesOf(endpointId: string, on: TestGateway = gateway) {
  const query = { endpoint_id: endpointId, limit: 100 }
  const result = await (await ops(on)).raw.GET('/v1/webhook-deliveries', { params: { query } })
  expect(result.response.status).toBe(200)
  return result.data?.data ?? []
}

async function deliveryDetail(id: string, on: TestGateway = gateway) {
  const result = await (await ops(on)).webhookDeliveries.get(id).withResponse()
  expect(result.response.status).toBe(200)
  return result.data
}

/** `GET /v1/webhook-endpoints/{id}` as the operator, 200. */
const endpointOf = async (id: string, on: TestGateway = gateway) => (await ops(on)).webhookEndpoints.get(id)
/** `POST /v1/webhook-deliveries/{id}/replay`, answered as it comes (200, or a 409 to assert). */
const replayOf = async (id: string | undefined, on: TestGateway = gateway) =>
  (await ops(on)).raw.POST('/v1/webhook-deliveries/{id}/replay', { params: { path: { id: id ?? '' } } })

/** Waits until every event has a delivery to the endpoint in one of `states`. */
async function settled(endpointId: string, eventIds: string[], states = ['succeeded'], on = gateway) {
  return eventually(`${eventIds.length} deliveries ${states.join('/')}`, async () => {
    const deliveries = (await deliveriesOf(endpointId, on)).filter((d) => eventIds.includes(d.event_id))
    return deliveries.length === eventIds.length && deliveries.every((d) => states.includes(d.state))
      ? deliveries
      : undefined
  })
}

describe('delivery, checked by an independent verifier (standardwebhooks)', () => {
  it('POSTs the outbox event signed per Standard Webhooks, and the verifier accepts it', async () => {
    const receiver = await startWebhookReceiver(() => 200)
    const endpoint = await endpointFor(receiver)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    const [delivery] = await settled(endpoint.id, [eventId])

    const [received] = receiver.byId(eventId)
    expect(receiver.byId(eventId)).toHaveLength(1)
    expect(received?.path).toBe('/hooks/privy')
    expect(received?.headers['content-type']).toBe('application/json')
    expect(received?.headers['webhook-id']).toBe(eventId)
    expect(received?.headers['webhook-timestamp']).toMatch(/^\d{10}$/)
    const payload = new Webhook(endpoint.secret).verify(received?.body ?? '', received?.headers ?? {}) as {
      type: string
      timestamp: string
      data: Record<string, unknown>
    }
    expect(payload.type).toBe('document.updated')
    expect(payload.data).toMatchObject({ status: 'processing', submission: 'submitted' })
    const stranger = new Webhook(`whsec_${randomBytes(32).toString('base64')}`)
    expect(() => stranger.verify(received?.body ?? '', received?.headers ?? {})).toThrow(
      WebhookVerificationError,
    )

    const detail = await deliveryDetail(delivery?.id ?? '')
    expect(detail).toMatchObject({
      event_id: eventId,
      event_type: 'document.updated',
      endpoint_id: endpoint.id,
      state: 'succeeded',
      attempt_count: 1,
      next_attempt_at: null,
      last_status_code: 200,
      payload,
    })
    expect(detail.attempts).toEqual([
      {
        number: 1,
        started_at: expect.any(String),
        duration_ms: expect.any(Number),
        status_code: 200,
        error: null,
        response_excerpt: null,
        manual: false,
      },
    ])
  })

  it('a receiver failing every other request still gets every event exactly once as a success', async () => {
    // Each event: the first request fails (a different way per event), the next succeeds, and so on.
    const failures: Answer[] = [
      { status: 500, body: 'x'.repeat(5000) },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 302, headers: { location: '/elsewhere' } },
      'reset',
      'hang',
      { status: 429 },
      { status: 404 },
    ]
    const order = new Map<string, number>()
    const receiver = await startWebhookReceiver((request, earlier) => {
      const id = request.headers['webhook-id'] ?? ''
      if (!order.has(id)) order.set(id, order.size)
      return earlier % 2 === 0 ? (failures[(order.get(id) ?? 0) % failures.length] ?? 500) : 204
    })
    const endpoint = await endpointFor(receiver, { event_types: ['document.updated'] })
    const eventIds = await recordDocumentEvents(gateway.database, 21)
    const deliveries = await settled(endpoint.id, eventIds)
    const details = await Promise.all(deliveries.map((delivery) => deliveryDetail(delivery.id)))

    // Delivery is at least once: an attempt the gateway gave up on (no answer within the timeout) may
    // still reach the receiver, late, and be answered there. On a quiet machine only the 'hang' does; on
    // a loaded one any attempt can. So the receiver's extra successes are bounded by the gateway's
    // timed-out attempts, and everything else is exact.
    for (const detail of details) {
      const requests = receiver.byId(detail.event_id)
      const attempts = detail.attempts as Array<{
        number: number
        started_at: string
        status_code: number | null
        error: string | null
        manual: boolean
      }>
      // The gateway saw exactly one success, last, after at least one failure; nothing after it.
      expect(detail).toMatchObject({ state: 'succeeded', attempt_count: attempts.length })
      expect(attempts.length).toBeGreaterThanOrEqual(2)
      expect(attempts.at(-1)).toMatchObject({ status_code: 204, error: null, manual: false })
      for (const [index, attempt] of attempts.slice(0, -1).entries()) {
        expect(attempt).toMatchObject({ number: index + 1, manual: false, error: expect.any(String) })
        expect(attempt.status_code === null || attempt.status_code >= 300).toBe(true)
        // Each retry waited at least its step of the schedule after the attempt before it began.
        const next = attempts[index + 1] as (typeof attempts)[number]
        expect(Date.parse(next.started_at) - Date.parse(attempt.started_at)).toBeGreaterThanOrEqual(
          SCHEDULE[index + 1] ?? 0,
        )
      }
      // Every attempt reached the receiver, with the same bytes and id, and each verifies.
      expect(requests).toHaveLength(attempts.length)
      for (const request of requests) {
        expect(request.body).toBe(requests[0]?.body)
        expect(new Webhook(endpoint.secret).verify(request.body, request.headers)).toBeTruthy()
      }
      const timedOut = attempts.filter((attempt) => attempt.error?.startsWith('no answer within')).length
      const answeredOk = requests.filter((request) => request.status >= 200 && request.status < 300).length
      expect(answeredOk).toBeGreaterThanOrEqual(1)
      expect(answeredOk - 1).toBeLessThanOrEqual(timedOut)
    }
    // The redirect was never followed.
    expect(receiver.received.filter((request) => request.path !== '/hooks/privy')).toEqual([])
    for (const detail of details) {
      for (const attempt of detail.attempts) {
        if (attempt.response_excerpt)
          expect(Buffer.byteLength(attempt.response_excerpt)).toBeLessThanOrEqual(1024)
      }
    }
    const errors = new Set(details.flatMap((detail) => detail.attempts.map((attempt) => attempt.error)))
    expect([...errors]).toEqual(
      expect.arrayContaining([
        'the endpoint answered 500',
        'the endpoint answered 302',
        'no answer within 1000 ms',
        'the connection was reset',
      ]),
    )
    // Each attempt is logged with ids and outcome, never the body or a secret.
    const attemptCount = details.reduce((sum, detail) => sum + detail.attempt_count, 0)
    const attemptLines = gateway.logs.lines.filter((line) => line.includes(`"endpoint_id":"${endpoint.id}"`))
    expect(attemptLines.filter((line) => line.includes('webhook attempt'))).toHaveLength(attemptCount)
    expect(gateway.logs.leaked(secrets)).toEqual([])
    expect(gateway.logs.text()).not.toContain('"reference_number":"DOC-')
  })

  it('gives up after the last step of the schedule, and a replay after the fix delivers it', async () => {
    let healthy = false
    const receiver = await startWebhookReceiver(() => (healthy ? 200 : 500))
    const endpoint = await endpointFor(receiver)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    const [failed] = await settled(endpoint.id, [eventId], ['failed'])
    const detail = await deliveryDetail(failed?.id ?? '')
    expect(detail.attempts).toHaveLength(SCHEDULE.length)
    expect(detail).toMatchObject({ state: 'failed', next_attempt_at: null, last_status_code: 500 })
    const starts = detail.attempts.map((attempt: { started_at: string }) => Date.parse(attempt.started_at))
    for (let index = 1; index < starts.length; index++) {
      expect((starts[index] ?? 0) - (starts[index - 1] ?? 0)).toBeGreaterThanOrEqual(SCHEDULE[index] ?? 0)
    }
    expect(receiver.byId(eventId)).toHaveLength(SCHEDULE.length)
    expect((await endpointOf(endpoint.id)).failing_since).toEqual(expect.any(String))

    healthy = true
    const replayed = await replayOf(failed?.id)
    expect(replayed.response.status).toBe(200)
    expect(replayed.data).toMatchObject({ state: 'succeeded', last_status_code: 200, attempt_count: 6 })
    expect(replayed.data?.attempts.at(-1)).toMatchObject({ number: 6, status_code: 200, manual: true })
    const last = receiver.byId(eventId).at(-1)
    expect(last?.headers['webhook-id']).toBe(eventId)
    expect(new Webhook(endpoint.secret).verify(last?.body ?? '', last?.headers ?? {})).toBeTruthy()
    // A success clears the endpoint's failure clock.
    expect((await endpointOf(endpoint.id)).failing_since).toBeNull()
  })

  it('replays a delivered event: same webhook-id and body, a fresh signature the verifier accepts', async () => {
    const receiver = await startWebhookReceiver(() => 200)
    const endpoint = await endpointFor(receiver)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    const [delivery] = await settled(endpoint.id, [eventId])

    const replayed = await replayOf(delivery?.id)
    expect(replayed.response.status).toBe(200)
    expect(replayed.data).toMatchObject({ id: delivery?.id, state: 'succeeded', attempt_count: 2 })
    expect(replayed.data?.attempts.map((attempt) => attempt.manual)).toEqual([false, true])

    const [original, replay] = receiver.byId(eventId)
    expect(receiver.byId(eventId)).toHaveLength(2)
    expect(replay?.headers['webhook-id']).toBe(original?.headers['webhook-id'])
    expect(replay?.body).toBe(original?.body)
    expect(new Webhook(endpoint.secret).verify(replay?.body ?? '', replay?.headers ?? {})).toEqual(
      JSON.parse(original?.body ?? ''),
    )
    // Listing finds it by its event id.
    const listed = await (await ops()).raw.GET('/v1/webhook-deliveries', {
      params: { query: { event_id: eventId } },
    })
    expect(listed.data?.data.map((item) => item.id)).toEqual([delivery?.id])
  })

  it('an answer with a NUL byte is recorded like any other (the excerpt keeps a replacement)', async () => {
    const receiver = await startWebhookReceiver(() => ({ status: 200, body: 'ok\u0000binary' }))
    const endpoint = await endpointFor(receiver)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    const [delivery] = await settled(endpoint.id, [eventId])
    const detail = await deliveryDetail(delivery?.id ?? '')
    expect(detail.attempts).toHaveLength(1)
    expect(detail.attempts[0]?.response_excerpt).toBe('ok\uFFFDbinary')
    expect(receiver.byId(eventId)).toHaveLength(1)
  })

  it('signs with both secrets while a rotation overlaps, and each verifies on its own', async () => {
    const receiver = await startWebhookReceiver(() => 200)
    const endpoint = await endpointFor(receiver)
    const rotated = await (await ops()).webhookEndpoints
      .rotateSecret(endpoint.id, { previous_secret_expires_in_seconds: 3600 })
      .withResponse()
    expect(rotated.response.status).toBe(200)
    const next = rotated.data.secret
    secrets.push(next)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    await settled(endpoint.id, [eventId])
    const [received] = receiver.byId(eventId)
    expect(received?.headers['webhook-signature']?.split(' ')).toHaveLength(2)
    expect(new Webhook(endpoint.secret).verify(received?.body ?? '', received?.headers ?? {})).toBeTruthy()
    expect(new Webhook(next).verify(received?.body ?? '', received?.headers ?? {})).toBeTruthy()

    // Retiring the previous secret at once: only the newest signs.
    const retired = await (await ops()).webhookEndpoints.rotateSecret(endpoint.id, {
      previous_secret_expires_in_seconds: 0,
    })
    const newest = retired.secret
    secrets.push(newest)
    const [laterId = ''] = await recordDocumentEvents(gateway.database, 1)
    await settled(endpoint.id, [laterId])
    const [later] = receiver.byId(laterId)
    expect(later?.headers['webhook-signature']?.split(' ')).toHaveLength(1)
    expect(new Webhook(newest).verify(later?.body ?? '', later?.headers ?? {})).toBeTruthy()
    for (const old of [endpoint.secret, next]) {
      expect(() => new Webhook(old).verify(later?.body ?? '', later?.headers ?? {})).toThrow(
        WebhookVerificationError,
      )
    }
    expect(gateway.logs.leaked(secrets)).toEqual([])
  })

  it('sends an endpoint only the event types it asked for', async () => {
    const receiver = await startWebhookReceiver(() => 200)
    const endpoint = await endpointFor(receiver, { event_types: ['registration.updated'] })
    const [documentEvent = ''] = await recordDocumentEvents(gateway.database, 1)
    await eventually('the event to be fanned out', async () => {
      const row = await gateway.database.prisma.webhookEvent.findUnique({ where: { id: documentEvent } })
      return row?.dispatchedAt !== null
    })
    expect(await deliveriesOf(endpoint.id)).toEqual([])
    expect(receiver.received).toEqual([])
  })
})

describe('a real flow produces an event', () => {
  it('creating a registration through the API delivers registration.updated, ids and statuses only', async () => {
    const receiver = await startWebhookReceiver(() => 204)
    const endpoint = await endpointFor(receiver, { event_types: ['registration.updated'] })
    const token = await gateway.userToken('user-webhooks')
    const answer = await (await clientFor(gateway, { token })).registrations
      .create({
        registration_type: 'landing_page',
        name: 'Siti Aminah',
        email: 'siti.webhooks@example.co.id',
        phone: '6281234567890',
      })
      .withResponse()
    expect(answer.response.status).toBe(201)
    const created = answer.data
    const received = await eventually('a registration.updated webhook for the registration', () =>
      receiver.received.find((request) => {
        const body = JSON.parse(request.body)
        return body.type === 'registration.updated' && body.data.id === created.id
      }),
    )
    const payload = new Webhook(endpoint.secret).verify(received.body, received.headers) as {
      data: Record<string, unknown>
    }
    expect(payload.data).toMatchObject({
      id: created.id,
      reference_number: created.reference_number,
      registration_type: 'landing_page',
    })
    // No PII: neither the email, the phone nor the name, not even masked.
    for (const value of [
      'siti.webhooks',
      'example.co.id',
      '6281234567890',
      'Siti',
      created.email,
      created.phone,
    ]) {
      expect(received.body).not.toContain(value)
    }
  })
})

describe('sustained failure', () => {
  it('disables the endpoint after WEBHOOK_DISABLE_AFTER_HOURS without a success; replayable once re-enabled', async () => {
    // Its own gateway and database: this test moves the clock days ahead.
    // Retries 12 h apart at most: a failing endpoint fails at least that often, so a gap of 24 h
    // without a failure would be a quiet spell, not a failing one.
    const own = await startTestGateway({
      ...ENV,
      WEBHOOK_DISABLE_AFTER_HOURS: '48',
      WEBHOOK_RETRY_SCHEDULE_MS: `0,50,${12 * 3600_000}`,
    })
    try {
      let healthy = false
      const receiver = await startWebhookReceiver(() => (healthy ? 200 : 500))
      const endpoint = await endpointFor(receiver, {}, own)
      const failedAttempts = (eventId: string) =>
        eventually(`a failed attempt of ${eventId}`, async () => {
          const delivery = (await deliveriesOf(endpoint.id, own)).find((d) => d.event_id === eventId)
          return delivery && delivery.attempt_count >= 1 ? delivery : undefined
        })
      // One failure after a long quiet spell starts a new spell: it does not disable.
      const [quietEvent = ''] = await recordDocumentEvents(own.database, 1)
      await failedAttempts(quietEvent)
      own.clock.advance(49 * 3600_000)
      const [afterQuiet = ''] = await recordDocumentEvents(own.database, 1)
      await failedAttempts(afterQuiet)
      expect(await endpointOf(endpoint.id, own)).toMatchObject({
        enabled: true,
        failing_since: expect.any(String),
      })

      // Failing all along, every 13 h: past 48 h the next failure disables it.
      let secondEvent = ''
      for (let step = 0; step < 4; step++) {
        own.clock.advance(13 * 3600_000)
        ;[secondEvent = ''] = await recordDocumentEvents(own.database, 1)
        if (step < 3) await failedAttempts(secondEvent)
      }
      const [cancelled] = await settled(endpoint.id, [secondEvent], ['cancelled'], own)
      const disabled = await endpointOf(endpoint.id, own)
      expect(disabled).toMatchObject({ enabled: false, disabled_at: expect.any(String) })
      expect(disabled.disabled_reason).toMatch(/^failing without a success since .* \(more than 48 h\)$/)
      expect(own.logs.text()).toContain('webhook endpoint disabled')

      // While disabled: new events are not sent to it (their deliveries wait, cancelled, to be
      // replayed), and replays are refused.
      const [thirdEvent = ''] = await recordDocumentEvents(own.database, 1)
      await eventually('the third event to be fanned out', async () => {
        const row = await own.database.prisma.webhookEvent.findUnique({ where: { id: thirdEvent } })
        return row?.dispatchedAt !== null
      })
      const third = (await deliveriesOf(endpoint.id, own)).find((d) => d.event_id === thirdEvent)
      expect(third?.state).toBe('cancelled')
      expect(third?.attempt_count).toBe(0)
      expect(receiver.byId(thirdEvent)).toHaveLength(0)
      const refused = await replayOf(cancelled?.id, own)
      expect(refused.response.status).toBe(409)
      expect(refused.error?.code).toBe('WEBHOOK_ENDPOINT_DISABLED')
      const attemptsBefore = receiver.received.length

      // Re-enabled and fixed: the cancelled delivery is replayed and succeeds.
      const enabled = await (await ops(own)).webhookEndpoints.update(endpoint.id, { enabled: true })
      expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null })
      healthy = true
      // An attempt of it may still be in flight (cancelled by the disable while it was being sent):
      // replay answers 409 until that attempt is recorded, so retry as a client would.
      const replay = (deliveryId: string | undefined) =>
        eventually(`a replay of ${deliveryId}`, async () => {
          const answer = await replayOf(deliveryId, own)
          return answer.response.status === 409 && answer.error?.code === 'WEBHOOK_DELIVERY_IN_FLIGHT'
            ? undefined
            : answer
        })
      const replayed = await replay(cancelled?.id)
      expect(replayed.response.status).toBe(200)
      expect(replayed.data).toMatchObject({ state: 'succeeded', last_status_code: 200 })
      expect(replayed.data?.attempts.at(-1)).toMatchObject({ manual: true, status_code: 200 })
      expect(receiver.received.length).toBe(attemptsBefore + 1)
      expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(secondEvent)
      // And the event that arrived while it was disabled is not lost: it replays too.
      const replayedThird = await replay(third?.id)
      expect(replayedThird.data).toMatchObject({ state: 'succeeded', last_status_code: 200 })
      expect(receiver.byId(thirdEvent)).toHaveLength(1)
    } finally {
      for (const step of cleanup.splice(0).reverse()) await step()
      await own.close()
    }
  })

  it('an attempt the clock jumps under is judged at its start: one slow failure never spans the window', async () => {
    // Its own gateway: the clock moves days ahead. The receiver moves it 49 h while the attempt is in
    // flight, so the attempt starts before the jump and ends after it (what a busy machine did to the
    // test above, now on purpose). Judged by its end it would have opened and closed a 48 h spell alone.
    const own = await startTestGateway({ ...ENV, WEBHOOK_DISABLE_AFTER_HOURS: '48' })
    try {
      const receiver = await startWebhookReceiver((_request, earlier) => {
        if (earlier === 0) own.clock.advance(49 * 3600_000)
        return 500
      })
      const endpoint = await endpointFor(receiver, {}, own)
      const [eventId = ''] = await recordDocumentEvents(own.database, 1)
      const [delivery] = await settled(endpoint.id, [eventId], ['failed', 'cancelled'], own)
      expect(delivery).toMatchObject({ state: 'failed', attempt_count: SCHEDULE.length })
      expect(await endpointOf(endpoint.id, own)).toMatchObject({
        enabled: true,
        disabled_at: null,
        failing_since: expect.any(String),
      })
      expect(own.logs.text()).not.toContain('webhook endpoint disabled')
    } finally {
      for (const step of cleanup.splice(0).reverse()) await step()
      await own.close()
    }
  })

  it('disables an endpoint that answers 410 Gone at once', async () => {
    const receiver = await startWebhookReceiver(() => 410)
    const endpoint = await endpointFor(receiver)
    const [eventId = ''] = await recordDocumentEvents(gateway.database, 1)
    await settled(endpoint.id, [eventId], ['cancelled'])
    expect(await endpointOf(endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'the endpoint answered 410 Gone',
    })
    expect(receiver.byId(eventId)).toHaveLength(1)
  })
})
