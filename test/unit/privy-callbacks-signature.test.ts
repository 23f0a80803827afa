import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  CALLBACK_TOLERANCE_SECONDS,
  callbackSignatureProblem,
  signatureOfBytes,
} from '../../src/modules/privy-callbacks/callback.signature.js'
import { signatureFor } from '../../src/privy/signing.js'

const credentials = { apiKey: 'ak_test_123', apiSecret: 'sk_test_456' }
const timestamp = '2026-11-25T10:00:00+07:00'
const at = new Date('2026-11-25T03:00:00Z')

/** Contract §2.3 written out once more, independently: whitespace out, md5, HMAC, base64(key:hmac). */
function signText(text: string, stamp = timestamp): string {
  const md5 = createHash('md5').update(text.replace(/\s+/g, ''), 'utf8').digest('base64')
  const hmac = createHmac('sha256', credentials.apiSecret)
    .update(`${stamp}:${credentials.apiKey}:POST:${md5}`, 'utf8')
    .digest('base64')
  return Buffer.from(`${credentials.apiKey}:${hmac}`, 'utf8').toString('base64')
}

const check = (raw: string, signature: string | undefined, stamp: string | undefined = timestamp, now = at) =>
  callbackSignatureProblem(credentials, { timestamp: stamp, signature }, Buffer.from(raw, 'utf8'), now)

describe('Privy callback signature (contract §6: §2.3 over the whole body)', () => {
  it('reproduces the contract test vector over the body bytes', () => {
    const raw = JSON.stringify({
      reference_number: 'REG-0001',
      channel_id: 'CH-TEST',
      registration_type: 'landing_page',
      name: 'Siti Aminah',
      email: 'siti@example.co.id',
      phone: '6281234567890',
    })
    const vector = 'YWtfdGVzdF8xMjM6LzhURU5YMXBPd2FBbkxxMG81MGhmT0xtYm1rWnp3dld0VXUrK2RUN3BRMD0='
    expect(signatureOfBytes(credentials, timestamp, Buffer.from(raw))).toBe(vector)
    expect(check(raw, vector)).toBeNull()
  })

  it('verifies the bytes as sent, where parsing and re-serialising would change them', () => {
    // A sender whose JSON escapes `/` and non-ASCII, and orders an integer-like key last: re-serialised,
    // these become `/`, `é` and a reordered object, so only the bytes carry the genuine signature.
    const raw =
      '{"event":"register","data":{"reference_number":"REG-1","name":"Jos\\u00e9",' +
      '"url":"https:\\/\\/privy.id\\/x","status":"verified","b":1,"7":2}}'
    const signature = signText(raw)
    expect(check(raw, signature)).toBeNull()
    expect(signatureFor(credentials, timestamp, JSON.parse(raw))).not.toBe(signature)
  })

  it('ignores whitespace the way §2.3 does, and nothing else', () => {
    const compact = '{"event":"document","data":{"reference_number":"DOC-1","status":"completed"}}'
    const pretty = JSON.stringify(JSON.parse(compact), null, 2)
    expect(check(pretty, signText(compact))).toBeNull()
    expect(check(compact.replace('completed', 'Completed'), signText(compact))).toBe(
      'The Signature does not match',
    )
  })

  it('still accepts a sender that signs the JSON object rather than its bytes', () => {
    const raw = '{"event":"register","data":{"reference_number":"REG-2","name":"Jos\\u00e9"}}'
    expect(check(raw, signatureFor(credentials, timestamp, JSON.parse(raw)))).toBeNull()
  })

  it('refuses missing, unparseable, stale and future timestamps and wrong signatures', () => {
    const raw = '{"event":"register","data":{"reference_number":"REG-3","status":"verified"}}'
    const good = signText(raw)
    expect(check(raw, undefined)).toBe('The Timestamp and Signature headers are required')
    expect(check(raw, good, '')).toBe('The Timestamp and Signature headers are required')
    expect(check(raw, good, 'yesterday')).toBe('The Timestamp header is not an ISO-8601 date')
    const skew = (CALLBACK_TOLERANCE_SECONDS + 1) * 1000
    for (const now of [new Date(at.getTime() + skew), new Date(at.getTime() - skew)]) {
      expect(check(raw, good, timestamp, now)).toBe(
        'The Timestamp is more than 5 minutes away from the gateway clock',
      )
    }
    expect(check(raw, good, timestamp, new Date(at.getTime() + skew - 2000))).toBeNull()
    const otherSecret = signatureOfBytes({ ...credentials, apiSecret: 'nope' }, timestamp, Buffer.from(raw))
    expect(check(raw, otherSecret)).toBe('The Signature does not match')
    expect(check(raw, `${good}x`)).toBe('The Signature does not match')
    expect(check('', signText(''))).toBeNull()
  })

  it('a refusal never says what the signature should have been', () => {
    const raw = '{"event":"register","data":{"reference_number":"REG-4","status":"verified"}}'
    const expected = signText(raw)
    const reason = check(raw, 'd3Jvbmc=')
    expect(reason).not.toContain(expected)
    expect(reason).not.toContain(Buffer.from(expected, 'base64').toString('utf8').split(':')[1])
  })
})
