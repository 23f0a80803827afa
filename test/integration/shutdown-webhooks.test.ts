import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway } from '../helpers/gateway.js'
import { recordDocumentEvents, startWebhookReceiver } from '../helpers/webhook-receiver.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

async function refusesConnections(url: string): Promise<boolean> {
  try {
    const response = await request(`${url}/health/live`, { reset: true })
    await response.body.dump()
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'ECONNREFUSED'
  }
}

describe('graceful close and the background sweeps', () => {
  it('a webhook delivery in flight when the gateway closes completes and is recorded before close() resolves', async () => {
    const gateway = await startTestGateway({
      WEBHOOK_DISPATCH_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '60000',
      SHUTDOWN_GRACE_MS: '60000',
    })
    cleanups.push(() => gateway.close())
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const receiver = await startWebhookReceiver(async () => {
      await released
      return 204
    })
    cleanups.push(() => receiver.close())
    const operator = await clientFor(gateway, 'operator')
    const endpoint = await operator.webhookEndpoints
      .create({ url: `${receiver.url}/hooks/privy` })
      .withResponse()
    expect(endpoint.response.status).toBe(201)

    const [eventId] = await recordDocumentEvents(gateway.database, 1)
    await eventually('the delivery reaches the endpoint', () => receiver.received.length === 1)

    let closed = false
    const closing = gateway.app.close().then(() => {
      closed = true
    })
    // The gateway is stopping (its listener is gone) while the endpoint has not answered yet.
    await eventually('the gateway stops accepting', () => refusesConnections(gateway.url))
    expect(closed).toBe(false)

    release()
    await closing
    // close() waited for the sweep in hand: its outcome is recorded, not left to a lease running out.
    const delivery = await gateway.database.prisma.webhookDelivery.findFirst({
      where: { eventId, endpointId: endpoint.data.id },
      include: { attempts: true },
    })
    expect(delivery).toMatchObject({ state: 'succeeded', lastStatusCode: 204 })
    expect(delivery?.attempts.map((attempt) => attempt.statusCode)).toEqual([204])
  })
})
