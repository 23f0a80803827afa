import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { PrivyError } from '../../src/privy/index.js'
import {
  CREDENTIALS,
  created,
  dropSocket,
  errorReply,
  type FakePrivy,
  hang,
  REGISTER_PATH,
  reply,
  STATUS_PATH,
  startFakePrivy,
  TOKEN_PATH,
  testClient,
  tokenReply,
} from './privy-fake-server.js'

const ACCESS_TOKEN = 'tok-ACCESS-never-log'
const NIK = '3201234567890001'
const SELFIE = 'c2VsZmllLWJ5dGVzLW5ldmVyLWxvZw=='
const input = {
  reference_number: 'R-1',
  registration_type: 'privy_ra',
  name: 'Siti',
  email: 'siti@example.co.id',
  phone: '6281234567890',
  nik: NIK,
  dob: '1990-01-01',
  identity: Buffer.from(SELFIE, 'base64'),
  selfie: Buffer.from(SELFIE, 'base64'),
} as const

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

describe('Privy errors and attempt events never carry secrets or bodies', () => {
  it.each([
    ['401 twice', [errorReply(401, ['bad signature'])]],
    ['422 with field errors', [errorReply(422, [{ field: 'nik', messages: ['must be 16 digits'] }])]],
    ['500 without a body', [reply(500, '')]],
    ['a timeout', [hang]],
    ['a dropped connection', [dropSocket]],
    ['an invalid 201', [created({ status: 'pending' })]],
    ['malformed JSON on 201', [reply(201, `{"data":{"echo":"${NIK}`)]],
  ])('on %s', async (_label, responders) => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [tokenReply(ACCESS_TOKEN)], [REGISTER_PATH]: responders })
    const { client, events } = testClient(privy.baseUrl, { timeoutMs: 300 })
    const error = await client.registrations.register(input).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyError)
    const signatures = privy.callsTo(REGISTER_PATH).map((call) => String(call.headers.signature))
    const secrets = [
      CREDENTIALS.clientSecret,
      CREDENTIALS.apiSecret,
      ACCESS_TOKEN,
      NIK,
      SELFIE,
      ...signatures,
    ]
    const renderings = [
      JSON.stringify(error),
      String(error),
      inspect(error, { depth: 5 }),
      JSON.stringify(events),
    ]
    for (const text of renderings) {
      for (const secret of secrets) expect(text).not.toContain(secret)
    }
    await client.close()
  })

  it('on a token response that is not JSON and quotes the token', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [reply(201, `{"data":{"access_token":"${ACCESS_TOKEN}"`)] })
    const { client } = testClient(privy.baseUrl)
    const error = await client.getAccessToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyError)
    for (const text of [JSON.stringify(error), String(error), inspect(error, { depth: 5 })]) {
      expect(text).not.toContain(ACCESS_TOKEN)
      expect(text).not.toContain(CREDENTIALS.clientSecret)
    }
    await client.close()
  })

  it('attempt events hold only operation, path, id, attempt, status, duration and error name', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [errorReply(503)] })
    const { client, events } = testClient(privy.baseUrl, { maxRetries: 0 })
    await client.registrations
      .status({ reference_number: 'R-1', register_token: 'rt-1' })
      .catch(() => undefined)
    expect(events.map((event) => Object.keys(event).sort())).toEqual([
      ['attempt', 'durationMs', 'operation', 'path', 'requestId', 'status'],
      ['attempt', 'durationMs', 'errorName', 'operation', 'path', 'requestId', 'status'],
    ])
    expect(events[1]).toMatchObject({
      operation: 'registrations.status',
      status: 503,
      errorName: 'PrivyServerError',
    })
    await client.close()
  })
})
