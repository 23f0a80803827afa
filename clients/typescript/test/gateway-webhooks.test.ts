import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor } from '../../../test/helpers/client.js'
import { eventually } from '../../../test/helpers/eventually.js'
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js'
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../../test/helpers/webhook-receiver.js'
import { type GatewayClient, verifyWebhook, WebhookVerificationError } from '../src/index.js'

// verifyWebhook on webhooks the gateway really delivered, to a receiver on a real socket.

let gateway: TestGateway
let receiver: WebhookReceiver
let operator: GatewayClient
let user: GatewayClient

beforeAll(async () => {
  gateway = await startTestGateway({ WEBHOOK_DISPATCH_INTERVAL_MS: '50' })
  receiver = await startWebhookReceiver(() => 204)
  operator = await clientFor(gateway, 'operator')
  user = await clientFor(gateway, 'user-webhooks')
})
afterAll(async () => {
  await receiver?.close()
  await gateway?.close()
})

/**
 * The delivery of the registration.updated event about `registrationId` whose status is `status`,
 * once the receiver has answered it (`status` is 0 until then).
 */
function deliveryOf(registrationId: string, status: string): Promise<ReceivedWebhook> {
  return eventually(`a webhook for ${registrationId} ${status}, answered`, () =>
    receiver.received.find((entry) => {
      const event = JSON.parse(entry.body)
      return entry.status !== 0 && event.data?.id === registrationId && event.data?.status === status
    }),
  )
}

describe('verifyWebhook on real deliveries', () => {
  it('verifies what the gateway sent, refuses it altered, and a merchant receiver answers by it', async () => {
    const endpoint = await operator.webhookEndpoints.create({
      url: `${receiver.url}/hooks/privy`,
      event_types: ['registration.updated'],
    })
    // The receiver as a merchant writes it: 204 when the signature holds, 400 otherwise.
    receiver.answer = async (entry) =>
      verifyWebhook(endpoint.secret, entry.body, entry.headers).then(
        () => 204,
        () => 400,
      )

    const created = await user.registrations.create({
      registration_type: 'landing_page',
      name: 'Siti Aminah',
      email: 'siti.webhook@example.co.id',
      phone: '6281234567890',
    })
    const delivered = await deliveryOf(created.id, 'pending')
    const event = await verifyWebhook(endpoint.secret, delivered.body, delivered.headers)
    expect(event).toMatchObject({ id: delivered.headers['webhook-id'], type: 'registration.updated' })
    expect(event.type === 'registration.updated' && event.data).toMatchObject({
      id: created.id,
      reference_number: created.reference_number,
      status: 'pending',
    })
    expect(delivered.status).toBe(204)

    const refused = (body: string, headers: Record<string, string | undefined>) =>
      expect(verifyWebhook(endpoint.secret, body, headers)).rejects.toBeInstanceOf(WebhookVerificationError)
    await refused(delivered.body.replace('"pending"', '"verified"'), delivered.headers)
    await refused(delivered.body, {
      ...delivered.headers,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600),
    })

    // The gateway records the attempt once the receiver has answered.
    const deliveries = await eventually('the delivery recorded as settled', async () => {
      const listed = await operator.webhookDeliveries
        .list({ endpoint_id: endpoint.id, event_id: event.id })
        .toArray()
      return listed.length > 0 && listed.every((delivery) => delivery.state !== 'pending') && listed
    })
    expect(deliveries.map((delivery) => delivery.state)).toEqual(['succeeded'])
    await operator.webhookEndpoints.delete(endpoint.id)
  })

  it('during a secret rotation, each of the two secrets verifies the twice-signed delivery', async () => {
    const endpoint = await operator.webhookEndpoints.create({ url: `${receiver.url}/hooks/rotation` })
    const rotated = await operator.webhookEndpoints.rotateSecret(endpoint.id, {
      previous_secret_expires_in_seconds: 3600,
    })
    expect(rotated.secret).not.toBe(endpoint.secret)

    const created = await user.registrations.create({
      registration_type: 'landing_page',
      name: 'Budi Santoso',
      email: 'budi.rotation@example.co.id',
      phone: '6285712345678',
    })
    const delivered = await eventually('a delivery to the rotated endpoint', () =>
      receiver.received.find(
        (entry) => entry.path === '/hooks/rotation' && JSON.parse(entry.body).data?.id === created.id,
      ),
    )
    expect(delivered.headers['webhook-signature']?.split(' ')).toHaveLength(2)
    for (const secret of [
      endpoint.secret,
      rotated.secret,
      [`whsec_${randomBytes(32).toString('base64')}`, rotated.secret],
    ]) {
      await expect(verifyWebhook(secret, delivered.body, delivered.headers)).resolves.toMatchObject({
        type: 'registration.updated',
      })
    }
    await operator.webhookEndpoints.delete(endpoint.id)
  })
})
