import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  generateWebhookSecret,
  isWebhookSecret,
  signWebhook,
  webhookSignature,
} from '../../src/modules/webhooks/webhooks.signing.js'

const body = JSON.stringify({
  type: 'registration.updated',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: 'x' },
})
const id = 'msg_0123456789abcdef0123456789abcdef'

describe('Standard Webhooks signing, checked by the standardwebhooks package', () => {
  it('makes secrets of 32 random bytes in the whsec_ form', () => {
    const secret = generateWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32)
    expect(isWebhookSecret(secret)).toBe(true)
    expect(generateWebhookSecret()).not.toBe(secret)
    expect(isWebhookSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBe(false)
  })

  it('signs exactly as the reference library does', () => {
    const secret = generateWebhookSecret()
    const at = new Date('2026-03-04T05:06:07.890Z')
    expect(webhookSignature(secret, id, Math.floor(at.getTime() / 1000), body)).toBe(
      new Webhook(secret).sign(id, at, body),
    )
  })

  it('is verified by the reference library, and a changed byte, id or timestamp is not', () => {
    const secret = generateWebhookSecret()
    const headers = signWebhook([secret], id, new Date(), body)
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
    const verifier = new Webhook(secret)
    expect(() => verifier.verify(body.replace('"x"', '"y"'), { ...headers })).toThrow(
      WebhookVerificationError,
    )
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': `${id}0` })).toThrow(
      WebhookVerificationError,
    )
    const ts = String(Number(headers['webhook-timestamp']) - 1)
    expect(() => verifier.verify(body, { ...headers, 'webhook-timestamp': ts })).toThrow(
      WebhookVerificationError,
    )
    // A re-serialised body (same JSON, other bytes) must fail: receivers verify the raw bytes.
    const reserialised = JSON.stringify(JSON.parse(body), null, 1)
    expect(() => verifier.verify(reserialised, { ...headers })).toThrow(WebhookVerificationError)
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(
      WebhookVerificationError,
    )
  })

  it('signs with every secret during a rotation, and each secret verifies alone', () => {
    const previous = generateWebhookSecret()
    const next = generateWebhookSecret()
    const headers = signWebhook([next, previous], id, new Date(), body)
    const entries = headers['webhook-signature'].split(' ')
    expect(entries).toHaveLength(2)
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(new Webhook(previous).verify(body, { ...headers })).toBeTruthy()
    expect(new Webhook(next).verify(body, { ...headers })).toBeTruthy()
  })

  it('refuses to sign without a secret', () => {
    expect(() => signWebhook([], id, new Date(), body)).toThrow()
  })
})
