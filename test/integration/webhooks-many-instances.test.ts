import { Webhook } from 'standardwebhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { type TestGateway, useGateway } from '../helpers/gateway.js'
import {
  recordDocumentEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js'

const ENV = { WEBHOOK_DISPATCH_INTERVAL_MS: '20', WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100,200,400' }
const EVENTS = 160

const receivers: WebhookReceiver[] = []
// Registered first, so it runs last: after both gateways closed.
afterAll(async () => {
  for (const receiver of receivers) await receiver.close()
})
const first = useGateway(ENV)
// The same database (and simulator): two gateway processes' worth of dispatchers racing for rows.
const second = useGateway(ENV, () => ({ database: first.database, simulator: first.simulator }))

/** The instance whose logs carry this attempt line. */
function attemptsLoggedBy(gateway: TestGateway, endpointIds: string[]): number {
  return gateway.logs.lines.filter(
    (line) => line.includes('webhook attempt') && endpointIds.some((id) => line.includes(id)),
  ).length
}

describe('two gateway instances on one database', () => {
  it('deliver every event to every endpoint exactly once between them', async () => {
    const endpoints: Array<{ id: string; secret: string; receiver: WebhookReceiver }> = []
    for (const [index, gateway] of [first, second].entries()) {
      // A receiver that takes a few milliseconds, so attempts of both instances overlap.
      const receiver = await startWebhookReceiver(
        () => new Promise<number>((resolve) => setTimeout(() => resolve(200), 2 + index)),
      )
      receivers.push(receiver)
      const created = await (await clientFor(gateway, 'operator')).webhookEndpoints
        .create({ url: `${receiver.url}/hook` })
        .withResponse()
      expect(created.response.status).toBe(201)
      endpoints.push({ id: created.data.id, secret: created.data.secret, receiver })
    }

    // The load: events written from four writers at once while both dispatchers run.
    const writers = await Promise.all(
      [0, 1, 2, 3].map(() => recordDocumentEvents(first.database, EVENTS / 4)),
    )
    const eventIds = writers.flat()
    expect(new Set(eventIds).size).toBe(EVENTS)

    for (const endpoint of endpoints) {
      await eventually(
        `${EVENTS} webhooks at endpoint ${endpoint.id}`,
        () => eventIds.every((id) => endpoint.receiver.byId(id).length > 0),
        { timeoutMs: 60_000 },
      )
    }
    // Every sweep that could still pick something up has had its chance to (wrongly) send again.
    await eventually('every delivery succeeded', async () => {
      const pending = await first.database.prisma.webhookDelivery.count({
        where: { state: { not: 'succeeded' } },
      })
      return pending === 0
    })

    for (const endpoint of endpoints) {
      const ids = endpoint.receiver.received.map((request) => request.headers['webhook-id'])
      // Exactly once: as many requests as events, no id twice, each one verifying.
      expect(ids).toHaveLength(EVENTS)
      expect(new Set(ids).size).toBe(EVENTS)
      expect([...new Set(ids)].sort()).toEqual([...eventIds].sort())
      for (const request of endpoint.receiver.received) {
        expect(new Webhook(endpoint.secret).verify(request.body, request.headers)).toBeTruthy()
      }
    }
    const attempts = await first.database.prisma.webhookAttempt.count()
    expect(attempts).toBe(EVENTS * endpoints.length)
    const deliveries = await first.database.prisma.webhookDelivery.findMany({
      select: { attemptCount: true },
    })
    expect(deliveries).toHaveLength(EVENTS * endpoints.length)
    expect(deliveries.every((delivery) => delivery.attemptCount === 1)).toBe(true)

    // Both instances did part of the work (how it split is up to the race).
    const ids = endpoints.map((endpoint) => endpoint.id)
    const byFirst = attemptsLoggedBy(first, ids)
    const bySecond = attemptsLoggedBy(second, ids)
    expect(byFirst + bySecond).toBe(EVENTS * endpoints.length)
    console.info(`webhook attempts by instance: first ${byFirst}, second ${bySecond}`)
  })
})
