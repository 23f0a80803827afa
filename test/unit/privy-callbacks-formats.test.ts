import { describe, expect, it } from 'vitest'
import { parseCallback } from '../../src/modules/privy-callbacks/callback.parse.js'

/**
 * The strict formats a verified callback must fit before anything is applied. §2.3's canonical form
 * drops every whitespace character, so a genuine signature survives whitespace added anywhere: every
 * value that could carry some is checked here, and refused rather than trimmed.
 */

const register = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      event: 'register',
      data: {
        reference_number: 'REG-0A1B2C3D4E5F',
        channel_id: 'CH-TEST',
        register_token: 'aB3_-x.y~z+/=',
        status: 'verified',
        privy_id: 'SIM1234AB',
        email: 'siti@example.co.id',
        phone: '6281234567890',
        updated_at: '2026-11-25T10:00:00+07:00',
        ...data,
      },
      ...extra,
    }),
  )

const document = (data: Record<string, unknown>) =>
  Buffer.from(
    JSON.stringify({
      event: 'document',
      data: {
        reference_number: 'DOC-0A1B2C3D',
        channel_id: 'CH-TEST',
        document_token: 'dGhpcy1pcy1hLXRva2Vu',
        status: 'completed',
        signing_url: 'https://sign.privy.id/sign/abc_DEF-123',
        signers: [
          {
            privy_id: 'SIM1234AB',
            signer_type: 'Signer',
            status: 'signed',
            signed_at: '2026-11-25T03:00:00.000Z',
          },
        ],
        emeterai: { status: 'stamped', serial_number: 'ABCD1234EFGH5678IJKL90' },
        ...data,
      },
    }),
  )

const refusedPaths = (raw: Buffer) => {
  const parsed = parseCallback(raw)
  return parsed.ok ? [] : parsed.errors.map((error) => error.path)
}

describe('parseCallback', () => {
  it('accepts what the contract and the simulator send, and drops unknown fields', () => {
    const parsed = parseCallback(register({ future_field: 'kept out' }, { delivered_by: 'privy' }))
    expect(parsed).toMatchObject({ ok: true, callback: { event: 'register' } })
    if (!parsed.ok) return
    expect(parsed.callback.data).not.toHaveProperty('future_field')
    expect(parsed.callback.data).toMatchObject({ privy_id: 'SIM1234AB' })

    const rejected = parseCallback(
      register({
        status: 'rejected',
        privy_id: null,
        reject_reason: { code: 'RC03', reason: 'NIK/name/DoB differ from the civil registry' },
        resend: '1',
      }),
    )
    expect(rejected).toMatchObject({
      ok: true,
      callback: { data: { status: 'rejected', privy_id: undefined, resend: true } },
    })
    // Older upstreams: `registered` is `verified`.
    expect(parseCallback(register({ status: 'registered' }))).toMatchObject({
      ok: true,
      callback: { data: { status: 'verified' } },
    })
    expect(parseCallback(document({}))).toMatchObject({ ok: true, callback: { event: 'document' } })
    expect(parseCallback(document({ signers: [], emeterai: null, signing_url: undefined }))).toMatchObject({
      ok: true,
    })
  })

  it('refuses a value padded with whitespace anywhere, of any kind, rather than trimming it', () => {
    const paddings = [
      ' PRIVY01',
      'PRIVY01 ',
      'PRIVY 01',
      'PRIVY\u00a001',
      'PRIVY\u300001',
      'PRIVY\t01',
      '\u2028PRIVY01',
    ]
    for (const privyId of paddings) {
      expect(refusedPaths(register({ privy_id: privyId })), JSON.stringify(privyId)).toEqual([
        'data.privy_id',
      ])
    }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ reference_number: 'REG-0A1B 2C3D' }, 'data.reference_number'],
      [{ reference_number: ' REG-0A1B2C3D' }, 'data.reference_number'],
      [{ channel_id: 'CH\u00a0TEST' }, 'data.channel_id'],
      [{ register_token: 'abc def' }, 'data.register_token'],
      [{ status: ' verified' }, 'data.status'],
      [{ status: 'Verified' }, 'data.status'],
      [{ email: 'siti @example.co.id' }, 'data.email'],
      [{ phone: '62812 34567890' }, 'data.phone'],
      [{ phone: '+6281234567890' }, 'data.phone'],
      [{ updated_at: '2026-11-25 10:00:00' }, 'data.updated_at'],
      [{ updated_at: '2026-11-25T10:00:00' }, 'data.updated_at'],
      [{ updated_at: 'yesterday' }, 'data.updated_at'],
      [{ reject_reason: { code: 'RC 01', reason: 'KTP unreadable' } }, 'data.reject_reason.code'],
      [{ reject_reason: { code: 'RC01', reason: 'KTP  unreadable' } }, 'data.reject_reason.reason'],
      [{ reject_reason: { code: 'RC01', reason: 'KTP\u00a0unreadable' } }, 'data.reject_reason.reason'],
      [{ reject_reason: { code: 'RC01', reason: ' KTP unreadable' } }, 'data.reject_reason.reason'],
      [{ resend: 'yes' }, 'data.resend'],
      [{ privy_id: 'P'.repeat(65) }, 'data.privy_id'],
      [{ reference_number: `R${'0'.repeat(64)}` }, 'data.reference_number'],
      [{ privy_id: 'PRIVY\u0000' }, 'data.privy_id'],
    ]
    for (const [data, path] of cases) {
      expect(refusedPaths(register(data)), JSON.stringify(data)).toEqual([path])
    }
    const documentCases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'signed' }, 'data.status'],
      [{ document_token: 'dGhpcy1p cy1h' }, 'data.document_token'],
      [{ signing_url: 'https://sign.privy.id/sign/ abc' }, 'data.signing_url'],
      [{ signing_url: ' https://sign.privy.id/sign/abc' }, 'data.signing_url'],
      [{ signing_url: 'javascript:alert(1)' }, 'data.signing_url'],
      [{ signers: [{ privy_id: 'SIM\u30001234', status: 'signed' }] }, 'data.signers.0.privy_id'],
      [{ signers: [{ privy_id: 'SIM1234', status: 'done' }] }, 'data.signers.0.status'],
      [
        { signers: [{ privy_id: 'SIM1234', status: 'signed', signer_type: 'Boss' }] },
        'data.signers.0.signer_type',
      ],
      [
        { signers: [{ privy_id: 'SIM1234', status: 'signed', signed_at: '25/11/2026' }] },
        'data.signers.0.signed_at',
      ],
      [
        { signers: Array.from({ length: 51 }, () => ({ privy_id: 'SIM1', status: 'waiting' })) },
        'data.signers',
      ],
      [{ emeterai: { status: 'stamped ', serial_number: 'ABC' } }, 'data.emeterai.status'],
      [{ emeterai: { status: 'stamped', serial_number: 'ABC 123' } }, 'data.emeterai.serial_number'],
    ]
    for (const [data, path] of documentCases) {
      expect(refusedPaths(document(data)), JSON.stringify(data)).toEqual([path])
    }
  })

  it('refuses the envelope: not JSON, not an object, an unknown event, a top-level binary key', () => {
    expect(parseCallback(Buffer.from('not json'))).toMatchObject({
      ok: false,
      reason: 'The body is not JSON',
    })
    expect(parseCallback(Buffer.from([0xff, 0x7b, 0x7d]))).toMatchObject({ reason: 'The body is not JSON' })
    expect(parseCallback(Buffer.from('[]'))).toMatchObject({ reason: 'The body is not a JSON object' })
    expect(refusedPaths(Buffer.from('{"event":"payment","data":{}}'))).toEqual(['event'])
    expect(refusedPaths(Buffer.from('{"event":" register","data":{}}'))).toEqual(['event'])
    // §2.3 leaves these out of the signature: whatever they hold, nobody signed it.
    expect(refusedPaths(register({}, { document: { document_file: 'x' } }))).toEqual(['document'])
    expect(refusedPaths(register({}, { selfie: 'x', ktp: 'y' }))).toEqual(['selfie', 'ktp'])
    expect(refusedPaths(Buffer.from('{"event":"register"}'))).toEqual(['data'])
  })

  it('keeps a refusal short whatever the body, and never quotes a value', () => {
    const hostile = register({
      privy_id: `${'X'.repeat(60)} secret-privy-id`,
      email: 'rahasia @example.co.id',
      signers: Array.from({ length: 500 }, () => ({ privy_id: ' ', status: 'x' })),
    })
    const parsed = parseCallback(hostile)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.reason.length).toBeLessThanOrEqual(501)
    expect(parsed.errors.length).toBeLessThanOrEqual(10)
    expect(JSON.stringify(parsed)).not.toContain('secret-privy-id')
    expect(JSON.stringify(parsed)).not.toContain('rahasia')
  })
})
