import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { verifyWebhook, WebhookVerificationError } from '../src/index.js'

const secret = () => `whsec_${randomBytes(32).toString('base64')}`
const body = JSON.stringify({
  type: 'registration.updated',
  timestamp: '2026-12-01T00:00:00.000Z',
  data: { id: 'b5f0b1d6-3a43-4d5e-9a1b-1f3c9b0c2d11', status: 'verified' },
})

/** Headers as the reference implementation (npm `standardwebhooks`) signs them. */
function signed(
  secrets: string[],
  at = new Date(),
  id = 'msg_0123456789abcdef0123456789abcdef',
  text = body,
) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((one) => new Webhook(one).sign(id, at, text)).join(' '),
  }
}

describe('verifyWebhook', () => {
  it('accepts what the reference implementation signs, and returns the event with its id', async () => {
    const key = secret()
    const event = await verifyWebhook(key, body, signed([key]))
    expect(event).toMatchObject({ id: 'msg_0123456789abcdef0123456789abcdef', type: 'registration.updated' })
    expect(event.type === 'registration.updated' && event.data.status).toBe('verified')
  })

  it('takes the body as bytes and the headers as a Headers object or a Node header record', async () => {
    const key = secret()
    const headers = signed([key])
    await expect(verifyWebhook(key, Buffer.from(body), new Headers(headers))).resolves.toBeDefined()
    const upper = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
    )
    await expect(verifyWebhook(key, new TextEncoder().encode(body).buffer, upper)).resolves.toBeDefined()
  })

  it('verifies during a rotation: two signatures, either secret; several secrets on the receiver', async () => {
    const [previous, next] = [secret(), secret()]
    const headers = signed([next, previous])
    await expect(verifyWebhook(previous, body, headers)).resolves.toBeDefined()
    await expect(verifyWebhook(next, body, headers)).resolves.toBeDefined()
    await expect(verifyWebhook([secret(), next], body, signed([next]))).resolves.toBeDefined()
  })

  it('refuses another secret, a changed body, a changed id and a missing header', async () => {
    const key = secret()
    const headers = signed([key])
    const refused = (promise: Promise<unknown>) =>
      expect(promise).rejects.toBeInstanceOf(WebhookVerificationError)
    await refused(verifyWebhook(secret(), body, headers))
    await refused(verifyWebhook(key, body.replace('verified', 'rejected'), headers))
    await refused(verifyWebhook(key, body, { ...headers, 'webhook-id': 'msg_other' }))
    await refused(verifyWebhook(key, body, { ...headers, 'webhook-signature': undefined }))
    await refused(verifyWebhook(key, body, { ...headers, 'webhook-signature': 'v1,not-base64!' }))
    await refused(
      verifyWebhook(key, body, {
        ...headers,
        'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,'),
      }),
    )
  })

  it('refuses a timestamp outside the tolerance, either way, and accepts one inside', async () => {
    const key = secret()
    const now = new Date('2026-12-01T10:00:00Z')
    const at = (offsetSeconds: number) => signed([key], new Date(now.getTime() + offsetSeconds * 1000))
    const options = { now: () => now }
    await expect(verifyWebhook(key, body, at(-301), options)).rejects.toThrow(/too old/)
    await expect(verifyWebhook(key, body, at(301), options)).rejects.toThrow(/future/)
    await expect(verifyWebhook(key, body, at(-299), options)).resolves.toBeDefined()
    await expect(
      verifyWebhook(key, body, at(-600), { ...options, toleranceSeconds: 900 }),
    ).resolves.toBeDefined()
    await expect(verifyWebhook(key, body, { ...at(0), 'webhook-timestamp': '1e9' }, options)).rejects.toThrow(
      /invalid webhook-timestamp/,
    )
  })

  it('accepts and refuses the same inputs as the reference verifier', async () => {
    const key = secret()
    const headers = signed([key])
    expect(() => new Webhook(key).verify(body, headers)).not.toThrow()
    await expect(verifyWebhook(key, body, headers)).resolves.toBeDefined()
    const tampered = { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) }
    expect(() => new Webhook(key).verify(body, tampered)).toThrow()
    await expect(verifyWebhook(key, body, tampered)).rejects.toBeInstanceOf(WebhookVerificationError)
  })
})
