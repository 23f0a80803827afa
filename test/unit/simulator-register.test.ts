import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody, TINY_JPEG_BASE64, TINY_PNG_BASE64 } from '../../src/simulator/testing/fixtures.js'

// Contract §3.1 field rules and refusals, over a real socket.

const REGISTER = '/web/api/v2/register'
const PLAIN_CHANNEL = 'PLAIN-CHANNEL'
const PUBLIC_URL = 'https://privy-sim.example.test'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator({
    publicUrl: `${PUBLIC_URL}/`,
    channels: [
      { channelId: DEV_CREDENTIALS.channelId, merchantRa: true },
      { channelId: PLAIN_CHANNEL, merchantRa: false },
    ],
  })
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

interface ContractError {
  error: { code: number; errors: Array<string | { field: string; messages: string[] }> }
}

function fieldsOf(json: unknown): string[] {
  return (json as ContractError).error.errors.flatMap((item) =>
    typeof item === 'string' ? [] : [item.field],
  )
}

const base64 = (text: string) => Buffer.from(text).toString('base64')

describe('§3.1 accepted registrations', () => {
  it('landing_page: pending, with a registration_url on the public URL', async () => {
    const body = registerBody('landing_page')
    const response = await client.signedPost(REGISTER, body)
    expect(response.status).toBe(201)
    const data = (response.json as { data: Record<string, unknown> }).data
    expect(data).toMatchObject({
      reference_number: body.reference_number,
      channel_id: DEV_CREDENTIALS.channelId,
      status: 'pending',
      register_token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
    })
    expect(data.registration_url).toMatch(new RegExp(`^${PUBLIC_URL}/registration/[A-Za-z0-9_-]{32}$`))
    // The URL is shown to the end user: it must not carry the merchant's register token.
    expect(data.registration_url).not.toContain(data.register_token)
  })

  it.each([
    ['privy_ra', undefined, 'waiting_otp'],
    ['privy_ra', false, 'waiting_otp'],
    ['privy_ra', true, 'waiting_verification'],
    ['privy_ra', '1', 'waiting_verification'],
    ['privy_ra', '0', 'waiting_otp'],
    ['merchant_ra', undefined, 'waiting_otp'],
    ['merchant_ra', true, 'waiting_verification'],
  ] as const)('%s with phone_verified %s starts %s', async (type, phoneVerified, status) => {
    const response = await client.signedPost(REGISTER, registerBody(type, { phone_verified: phoneVerified }))
    expect(response.status).toBe(201)
    const data = (response.json as { data: Record<string, unknown> }).data
    expect(data.status).toBe(status)
    expect(data).not.toHaveProperty('registration_url')
  })

  it('accepts images with a data URL prefix, JPEG or PNG, and free-text info', async () => {
    const body = registerBody('privy_ra', {
      info: 'loan application 42',
      identity: `data:image/jpeg;base64,${TINY_JPEG_BASE64}`,
      selfie: `data:image/png;base64,${TINY_PNG_BASE64}`,
    })
    expect((await client.signedPost(REGISTER, body)).status).toBe(201)
  })

  it('makes a different, unguessable register_token each time', async () => {
    const tokens = new Set<unknown>()
    for (let index = 0; index < 5; index += 1) {
      const response = await client.signedPost(REGISTER, registerBody('landing_page'))
      tokens.add((response.json as { data: { register_token: unknown } }).data.register_token)
    }
    expect(tokens.size).toBe(5)
  })
})

// Every row breaks exactly one rule of the §3.1 table on an otherwise valid privy_ra body.
const invalid: Array<[string, Record<string, unknown>, string]> = [
  ['reference_number missing', { reference_number: undefined }, 'reference_number'],
  ['reference_number empty', { reference_number: '' }, 'reference_number'],
  ['reference_number of 65 characters', { reference_number: 'R'.repeat(65) }, 'reference_number'],
  ['reference_number a number', { reference_number: 42 }, 'reference_number'],
  ['channel_id missing', { channel_id: undefined }, 'channel_id'],
  ['registration_type missing', { registration_type: undefined }, 'registration_type'],
  ['registration_type unknown', { registration_type: 'self_service' }, 'registration_type'],
  ['email missing', { email: undefined }, 'email'],
  ['email malformed', { email: 'siti.example.co.id' }, 'email'],
  ['phone missing', { phone: undefined }, 'phone'],
  ['phone with +', { phone: '+6281234567890' }, 'phone'],
  ['phone starting 08', { phone: '081234567890' }, 'phone'],
  ['phone with 7 digits after 62', { phone: '621234567' }, 'phone'],
  ['phone with 14 digits after 62', { phone: `62${'1'.repeat(14)}` }, 'phone'],
  ['phone with a letter', { phone: '62812345678a' }, 'phone'],
  ['phone a number', { phone: 6281234567890 }, 'phone'],
  ['name missing', { name: undefined }, 'name'],
  ['name blank', { name: '   ' }, 'name'],
  ['nik missing', { nik: undefined }, 'nik'],
  ['nik of 15 digits', { nik: '317401234567890' }, 'nik'],
  ['nik of 17 digits', { nik: '31740123456789001' }, 'nik'],
  ['nik with a letter', { nik: '317401234567890X' }, 'nik'],
  ['dob missing', { dob: undefined }, 'dob'],
  ['dob in DD-MM-YYYY', { dob: '31-01-1990' }, 'dob'],
  ['dob on 30 February', { dob: '1990-02-30' }, 'dob'],
  ['dob in month 13', { dob: '1990-13-01' }, 'dob'],
  ['identity missing', { identity: undefined }, 'identity'],
  ['identity not base64', { identity: 'not base64!' }, 'identity'],
  ['identity a base64 PDF', { identity: base64('%PDF-1.7\n%binary') }, 'identity'],
  ['identity a GIF data URL', { identity: `data:image/gif;base64,${base64('GIF89a......')}` }, 'identity'],
  [
    'identity PNG data URL holding a JPEG',
    { identity: `data:image/png;base64,${TINY_JPEG_BASE64}` },
    'identity',
  ],
  ['selfie missing', { selfie: undefined }, 'selfie'],
  ['selfie base64 text', { selfie: base64('hello selfie') }, 'selfie'],
  ['selfie unpadded base64', { selfie: TINY_PNG_BASE64.replace(/=+$/, '') }, 'selfie'],
  ['phone_verified "yes"', { phone_verified: 'yes' }, 'phone_verified'],
  ['phone_verified 1 as a number', { phone_verified: 1 }, 'phone_verified'],
  ['info a number', { info: 42 }, 'info'],
  ['an unknown field (ktp for identity)', { ktp: TINY_JPEG_BASE64 }, 'ktp'],
  ['an unknown field (date_of_birth for dob)', { date_of_birth: '1990-01-31' }, 'date_of_birth'],
]

describe('§3.1 refused registrations (422, the field named)', () => {
  it.each(invalid)('%s', async (_label, overrides, field) => {
    const response = await client.signedPost(REGISTER, registerBody('privy_ra', overrides))
    expect(response.status).toBe(422)
    expect((response.json as ContractError).error.code).toBe(422)
    expect(fieldsOf(response.json)).toEqual([field])
  })

  it('validates identity fields a landing_page body sends anyway', async () => {
    const response = await client.signedPost(REGISTER, registerBody('landing_page', { nik: '123' }))
    expect(response.status).toBe(422)
    expect(fieldsOf(response.json)).toEqual(['nik'])
  })

  it('reports every broken field at once', async () => {
    const body = registerBody('merchant_ra', { nik: '1', dob: 'x', phone: '0812' })
    const response = await client.signedPost(REGISTER, body)
    expect(fieldsOf(response.json).sort()).toEqual(['dob', 'nik', 'phone'])
  })
})

describe('§3.1 refusals after validation', () => {
  it('refuses a repeated reference_number on the same channel with 409', async () => {
    const body = registerBody('privy_ra')
    expect((await client.signedPost(REGISTER, body)).status).toBe(201)
    const again = await client.signedPost(REGISTER, { ...body, registration_type: 'landing_page' })
    expect(again.status).toBe(409)
    expect(again.json).toMatchObject({ error: { code: 409 } })
  })

  it('allows the same reference_number on another channel', async () => {
    const body = registerBody('privy_ra')
    expect((await client.signedPost(REGISTER, body)).status).toBe(201)
    expect((await client.signedPost(REGISTER, { ...body, channel_id: PLAIN_CHANNEL })).status).toBe(201)
  })

  it('refuses merchant_ra on a channel that is not a Registration Authority with 403', async () => {
    const response = await client.signedPost(
      REGISTER,
      registerBody('merchant_ra', { channel_id: PLAIN_CHANNEL }),
    )
    expect(response.status).toBe(403)
    expect(response.json).toMatchObject({ error: { code: 403 } })
  })

  it('refuses an unknown channel_id with 403', async () => {
    const response = await client.signedPost(REGISTER, registerBody('privy_ra', { channel_id: 'NOT-OURS' }))
    expect(response.status).toBe(403)
    expect(response.text).toMatch(/NOT-OURS/)
  })
})
