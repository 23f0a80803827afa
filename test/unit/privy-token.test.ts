import { afterEach, describe, expect, it } from 'vitest'
import {
  PrivyAuthenticationError,
  PrivyConnectionError,
  PrivyResponseValidationError,
  PrivyServerError,
} from '../../src/privy/index.js'
import {
  created,
  dropSocket,
  errorReply,
  type FakePrivy,
  REGISTER_PATH,
  type Responder,
  STATUS_DATA,
  STATUS_PATH,
  startFakePrivy,
  TOKEN_PATH,
  testClient,
  tokenReply,
} from './privy-fake-server.js'

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

const ref = { reference_number: 'REG-0001', register_token: 'rt-1' }
const later = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000)

describe('Privy access token (contract §2.1)', () => {
  it('is cached between calls', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created(STATUS_DATA)] })
    const { client } = testClient(privy.baseUrl)
    await client.registrations.status(ref)
    await client.registrations.status(ref)
    await client.getAccessToken()
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(1)
    await client.close()
  })

  it('is refreshed once 80% of expires_in has passed, by the injected clock', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [tokenReply('token-1', 100), tokenReply('token-2', 100)] })
    const { client, clock } = testClient(privy.baseUrl)
    const start = clock.now
    await expect(client.getAccessToken()).resolves.toBe('token-1')
    clock.now = later(start, 79.999)
    await expect(client.getAccessToken()).resolves.toBe('token-1')
    clock.now = later(start, 80)
    await expect(client.getAccessToken()).resolves.toBe('token-2')
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(2)
    await client.close()
  })

  it('accepts expires_in as a numeric string and assumes 3600 s when it is absent', async () => {
    privy = await startFakePrivy({
      [TOKEN_PATH]: [
        created({ access_token: 'token-1', token_type: 'Bearer', expires_in: '10' }),
        created({ access_token: 'token-2', token_type: 'Bearer' }),
        tokenReply('token-3'),
      ],
    })
    const { client, clock } = testClient(privy.baseUrl)
    const start = clock.now
    await expect(client.getAccessToken()).resolves.toBe('token-1')
    clock.now = later(start, 8)
    await expect(client.getAccessToken()).resolves.toBe('token-2')
    clock.now = later(start, 8 + 2879)
    await expect(client.getAccessToken()).resolves.toBe('token-2')
    clock.now = later(start, 8 + 2880)
    await expect(client.getAccessToken()).resolves.toBe('token-3')
    await client.close()
  })

  it('is fetched once for 10 concurrent callers (single flight)', async () => {
    const slowToken: Responder = (res, call, req) => {
      setTimeout(() => tokenReply()(res, call, req), 50)
    }
    privy = await startFakePrivy({ [TOKEN_PATH]: [slowToken], [STATUS_PATH]: [created(STATUS_DATA)] })
    const { client } = testClient(privy.baseUrl)
    const results = await Promise.all(Array.from({ length: 10 }, () => client.registrations.status(ref)))
    expect(results).toHaveLength(10)
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(1)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(10)
    await client.close()
  })

  it('is not cached when the fetch fails', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [errorReply(400), tokenReply('token-2')] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.getAccessToken()).rejects.toMatchObject({ status: 400, operation: 'token' })
    await expect(client.getAccessToken()).resolves.toBe('token-2')
    await client.close()
  })

  it('fetch is retried after a 503 and after a dropped connection, with backoff', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [errorReply(503), dropSocket, tokenReply('token-3')] })
    const { client, sleeps } = testClient(privy.baseUrl, { random: () => 0.999 })
    await expect(client.getAccessToken()).resolves.toBe('token-3')
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(3)
    expect(sleeps).toEqual([199, 399])
    await client.close()
  })

  it('wrong client credentials (401) fail at once as PrivyAuthenticationError', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [errorReply(401, ['invalid client'])] })
    const { client } = testClient(privy.baseUrl)
    const error = await client.getAccessToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyAuthenticationError)
    expect(error).toMatchObject({ operation: 'token', messages: ['invalid client'] })
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(1)
    await client.close()
  })

  it('a failed token fetch before register reports not_applied: register was never sent', async () => {
    privy = await startFakePrivy({ [TOKEN_PATH]: [errorReply(503)], [REGISTER_PATH]: [created({})] })
    const { client } = testClient(privy.baseUrl)
    const input = {
      reference_number: 'R',
      registration_type: 'landing_page',
      email: 'a@b.c',
      phone: '6281',
    } as const
    const error = await client.registrations.register(input).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyServerError)
    expect(error).toMatchObject({ operation: 'token', outcome: 'not_applied' })
    // The token fetch was tried 1 + maxRetries times, and its failure was not retried again on top.
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(3)
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(0)
    await client.close()
  })

  it('an invalid token body is a PrivyResponseValidationError, and a token with CR/LF is refused', async () => {
    privy = await startFakePrivy({
      [TOKEN_PATH]: [created({ token_type: 'Bearer' }), created({ access_token: 'abc\r\nx-evil: 1' })],
    })
    const { client } = testClient(privy.baseUrl)
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(PrivyResponseValidationError)
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(PrivyResponseValidationError)
    await client.close()
  })

  it('a refused connection is a PrivyConnectionError that was never applied', async () => {
    privy = await startFakePrivy({})
    const { baseUrl } = privy
    await privy.close()
    privy = undefined
    const { client } = testClient(baseUrl, { maxRetries: 0 })
    const error = await client.getAccessToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyConnectionError)
    expect(error).toMatchObject({ code: 'ECONNREFUSED', outcome: 'not_applied' })
    await client.close()
  })
})
