import { afterEach, describe, expect, it } from 'vitest'
import { PrivyAuthenticationError, PrivyServerError } from '../../src/privy/index.js'
import { signatureMatches } from '../../src/privy/signing.js'
import {
  CREDENTIALS,
  created,
  errorReply,
  type FakePrivy,
  REGISTER_PATH,
  REGISTERED,
  STATUS_DATA,
  STATUS_PATH,
  startFakePrivy,
  TOKEN_PATH,
  testClient,
  tokenReply,
} from './privy-fake-server.js'

// The body of the contract's §2.3 test vector.
const VECTOR_INPUT = {
  reference_number: 'REG-0001',
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: 'siti@example.co.id',
  phone: '6281234567890',
} as const
const VECTOR_SIGNATURE = 'YWtfdGVzdF8xMjM6LzhURU5YMXBPd2FBbkxxMG81MGhmT0xtYm1rWnp3dld0VXUrK2RUN3BRMD0='

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

describe('Privy client: requests on the wire', () => {
  it('sends the test vector body with the contract headers, verifiable server-side', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [created(REGISTERED)] })
    const { client } = testClient(privy.baseUrl, { uuid: () => '6f1c1f4e-0000-4000-8000-000000000001' })
    await expect(client.registrations.register(VECTOR_INPUT)).resolves.toEqual(REGISTERED)

    const [call] = privy.callsTo(REGISTER_PATH)
    expect(call?.body).toBe(
      '{"reference_number":"REG-0001","channel_id":"CH-TEST","registration_type":"landing_page","name":"Siti Aminah","email":"siti@example.co.id","phone":"6281234567890"}',
    )
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer token-1',
      timestamp: '2026-11-25T10:00:00+07:00',
      signature: VECTOR_SIGNATURE,
      'request-id': '6f1c1f4e-0000-4000-8000-000000000001',
      'content-type': 'application/json',
    })
    const signatureOk = signatureMatches(
      { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
      String(call?.headers.timestamp),
      call?.json ?? {},
      String(call?.headers.signature),
    )
    expect(signatureOk).toBe(true)
    await client.close()
  })

  it('fetches the token with the client credentials grant', async () => {
    privy = await startFakePrivy({})
    const { client } = testClient(privy.baseUrl)
    await expect(client.getAccessToken()).resolves.toBe('token-1')
    const [call] = privy.callsTo(TOKEN_PATH)
    expect(call?.json).toEqual({
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      grant_type: 'client_credentials',
    })
    expect(call?.headers['content-type']).toBe('application/json')
    await client.close()
  })

  it('keeps a path prefix of baseUrl', async () => {
    privy = await startFakePrivy({
      [`/prefix${TOKEN_PATH}`]: [tokenReply()],
      [`/prefix${STATUS_PATH}`]: [created(STATUS_DATA)],
    })
    const { client } = testClient(`${privy.baseUrl}/prefix/`)
    await expect(
      client.registrations.status({ reference_number: 'REG-0001', register_token: 'rt-1' }),
    ).resolves.toEqual(STATUS_DATA)
    await client.close()
  })
})

describe('Privy client: 401 handling', () => {
  it('drops the token, fetches a new one and re-sends once with fresh headers', async () => {
    privy = await startFakePrivy({
      [TOKEN_PATH]: [tokenReply('token-1'), tokenReply('token-2')],
      [REGISTER_PATH]: [errorReply(401, ['token expired']), created(REGISTERED)],
    })
    let n = 0
    const { client, events } = testClient(privy.baseUrl, { uuid: () => `req-${++n}` })
    await expect(client.registrations.register(VECTOR_INPUT)).resolves.toEqual(REGISTERED)

    const calls = privy.callsTo(REGISTER_PATH)
    expect(calls.map((c) => c.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(calls[0]?.headers['request-id']).not.toBe(calls[1]?.headers['request-id'])
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(2)
    expect(
      events.filter((e) => e.operation === 'registrations.register').map((e) => [e.attempt, e.status]),
    ).toEqual([
      [1, 401],
      [2, 201],
    ])
    await client.close()
  })

  it('recomputes Timestamp and Signature on the re-send', async () => {
    const clock = { now: new Date('2026-11-25T03:00:00Z') }
    privy = await startFakePrivy({
      [TOKEN_PATH]: [tokenReply('token-1'), tokenReply('token-2')],
      [REGISTER_PATH]: [
        (res, call, req) => {
          // Time passes before the re-send, as it does while a token is refetched.
          clock.now = new Date('2026-11-25T03:00:05Z')
          errorReply(401)(res, call, req)
        },
        created(REGISTERED),
      ],
    })
    const { client } = testClient(privy.baseUrl, { now: () => clock.now })
    await client.registrations.register(VECTOR_INPUT)
    const calls = privy.callsTo(REGISTER_PATH)
    expect(calls.map((c) => c.headers.timestamp)).toEqual([
      '2026-11-25T10:00:00+07:00',
      '2026-11-25T10:00:05+07:00',
    ])
    for (const call of calls) {
      const ok = signatureMatches(
        { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
        String(call.headers.timestamp),
        call.json,
        String(call.headers.signature),
      )
      expect(ok).toBe(true)
    }
    expect(calls[0]?.headers.signature).not.toBe(calls[1]?.headers.signature)
    await client.close()
  })

  it('gives up with PrivyAuthenticationError after a second 401, with no third call', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [errorReply(401, ['bad signature'])] })
    const { client } = testClient(privy.baseUrl)
    const error = await client.registrations.register(VECTOR_INPUT).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyAuthenticationError)
    expect(error).toMatchObject({ status: 401, outcome: 'not_applied', operation: 'registrations.register' })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(2)
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(2)
    await client.close()
  })

  it('re-authenticates only once even for a call that is retried', async () => {
    privy = await startFakePrivy({
      [STATUS_PATH]: [errorReply(401), errorReply(503), errorReply(401), created(STATUS_DATA)],
    })
    const { client } = testClient(privy.baseUrl)
    const error = await client.registrations
      .status({ reference_number: 'REG-0001', register_token: 'rt-1' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyAuthenticationError)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(3)
    await client.close()
  })
})

describe('Privy client: retries', () => {
  it('retries a status read after 503 with jittered backoff, then succeeds', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [errorReply(503), errorReply(502), created(STATUS_DATA)] })
    const { client, sleeps, events } = testClient(privy.baseUrl)
    await expect(
      client.registrations.status({ reference_number: 'REG-0001', register_token: 'rt-1' }),
    ).resolves.toEqual(STATUS_DATA)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(3)
    // random() = 0.5: half of the 200 ms and 400 ms windows.
    expect(sleeps).toEqual([100, 200])
    const ids = events.filter((e) => e.operation === 'registrations.status').map((e) => e.requestId)
    expect(new Set(ids).size).toBe(3)
    expect(privy.callsTo(STATUS_PATH).map((c) => c.headers['request-id'])).toEqual(ids)
    await client.close()
  })

  it('stops after maxRetries and reports the last failure', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [errorReply(503)] })
    const { client, sleeps } = testClient(privy.baseUrl, { maxRetries: 1 })
    const error = await client.registrations
      .status({ reference_number: 'REG-0001', register_token: 'rt-1' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyServerError)
    expect(error).toMatchObject({ status: 503, outcome: 'unknown' })
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
    await client.close()
  })

  it('does not retry a status read on 500, 404 or 429', async () => {
    for (const status of [500, 404, 429]) {
      const server = await startFakePrivy({ [STATUS_PATH]: [errorReply(status), created(STATUS_DATA)] })
      const { client } = testClient(server.baseUrl)
      await expect(
        client.registrations.status({ reference_number: 'R', register_token: 't' }),
      ).rejects.toMatchObject({
        status,
      })
      expect(server.callsTo(STATUS_PATH)).toHaveLength(1)
      await client.close()
      await server.close()
    }
  })

  it('never retries register on 503 or 429', async () => {
    for (const status of [503, 429]) {
      const server = await startFakePrivy({ [REGISTER_PATH]: [errorReply(status), created(REGISTERED)] })
      const { client, sleeps } = testClient(server.baseUrl)
      await expect(client.registrations.register(VECTOR_INPUT)).rejects.toMatchObject({ status })
      expect(server.callsTo(REGISTER_PATH)).toHaveLength(1)
      expect(sleeps).toEqual([])
      await client.close()
      await server.close()
    }
  })
})
