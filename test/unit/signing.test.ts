import { describe, expect, it } from 'vitest'
import {
  bodyMd5,
  canonicalBody,
  privyTimestamp,
  signatureFor,
  signatureMatches,
} from '../../src/privy/signing.js'

// The test vector of privy-contract.md §2.3: every implementation must reproduce it.
const credentials = { apiKey: 'ak_test_123', apiSecret: 'sk_test_456' }
const timestamp = '2026-11-25T10:00:00+07:00'
const body = {
  reference_number: 'REG-0001',
  channel_id: 'CH-TEST',
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: 'siti@example.co.id',
  phone: '6281234567890',
}

describe('Privy request signature (contract §2.3)', () => {
  it('reproduces the canonical string of the test vector', () => {
    expect(canonicalBody(body)).toBe(
      '{"reference_number":"REG-0001","channel_id":"CH-TEST","registration_type":"landing_page","name":"SitiAminah","email":"siti@example.co.id","phone":"6281234567890"}',
    )
  })

  it('reproduces body_md5 and the Signature header of the test vector', () => {
    expect(bodyMd5(canonicalBody(body))).toBe('rACHzP/CCEKYmpNi6PvqSA==')
    const signature = signatureFor(credentials, timestamp, body)
    expect(signature).toBe('YWtfdGVzdF8xMjM6LzhURU5YMXBPd2FBbkxxMG81MGhmT0xtYm1rWnp3dld0VXUrK2RUN3BRMD0=')
    expect(Buffer.from(signature, 'base64').toString('utf8')).toBe(
      'ak_test_123:/8TENX1pOwaAnLq0o50hfOLmbmkZzwvWtUu++dT7pQ0=',
    )
  })

  it('leaves binary keys out of the signed body and keeps key order', () => {
    const withImages = { b: 1, selfie: 'xx', a: 'x y', identity: 'yy', document: { document_file: 'zz' } }
    expect(canonicalBody(withImages)).toBe('{"b":1,"a":"xy"}')
  })

  it('does not escape slashes or non-ASCII characters', () => {
    expect(canonicalBody({ info: 'a/b Ü' })).toBe('{"info":"a/bÜ"}')
  })

  it('verifies a matching signature and refuses any other', () => {
    const good = signatureFor(credentials, timestamp, body)
    expect(signatureMatches(credentials, timestamp, body, good)).toBe(true)
    expect(signatureMatches(credentials, timestamp, { ...body, phone: '6281234567891' }, good)).toBe(false)
    expect(signatureMatches({ ...credentials, apiSecret: 'other' }, timestamp, body, good)).toBe(false)
    expect(signatureMatches(credentials, timestamp, body, 'short')).toBe(false)
  })

  it('formats timestamps in ISO-8601 with the +07:00 offset', () => {
    expect(privyTimestamp(new Date('2026-11-25T03:00:00Z'))).toBe('2026-11-25T10:00:00+07:00')
  })
})
