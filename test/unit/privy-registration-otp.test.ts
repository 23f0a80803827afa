import { afterEach, describe, expect, it } from 'vitest'
import {
  PrivyLockedError,
  PrivyRateLimitError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyUnprocessableEntityError,
} from '../../src/privy/index.js'
import {
  created,
  errorReply,
  type FakePrivy,
  reply,
  startFakePrivy,
  testClient,
} from './privy-fake-server.js'

const RESEND_PATH = '/web/api/v2/register/resend'
const OTP_PATH = '/web/api/v2/register/otp'
const OTP_VALIDATION_PATH = '/web/api/v2/register/otp-validation'
const OTP_RESEND_PATH = '/web/api/v2/register/otp-resend'

const TRANSACTION = {
  transaction_id: 'trx-1',
  otp_channel: 'sms',
  expired_at: '2026-11-25T10:15:00+07:00',
  resend_available_at: '2026-11-25T10:01:00+07:00',
  request_count: 1,
  maximum_otp_request: 3,
}

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

describe('Registration resend (contract §3.4)', () => {
  it('sends reference, channel, token and only the corrected fields, in order', async () => {
    privy = await startFakePrivy({ [RESEND_PATH]: [created({ status: 'waiting_verification' })] })
    const { client } = testClient(privy.baseUrl)
    const result = await client.registrations.resend({
      nik: '3201234567890002',
      register_token: 'rt-1',
      reference_number: 'R-1',
    })
    expect(result).toEqual({ status: 'waiting_verification' })
    expect(privy.callsTo(RESEND_PATH)[0]?.body).toBe(
      '{"reference_number":"R-1","channel_id":"CH-TEST","register_token":"rt-1","nik":"3201234567890002"}',
    )
    await client.close()
  })

  it('is never retried', async () => {
    privy = await startFakePrivy({
      [RESEND_PATH]: [errorReply(503), created({ status: 'waiting_verification' })],
    })
    const { client } = testClient(privy.baseUrl)
    const ref = { reference_number: 'R-1', register_token: 'rt-1' }
    await expect(client.registrations.resend(ref)).rejects.toBeInstanceOf(PrivyServerError)
    expect(privy.callsTo(RESEND_PATH)).toHaveLength(1)
    await client.close()
  })
})

describe('Registration OTP (contract §4.1)', () => {
  it('requests an OTP with channel_id and parses the transaction (counts may be strings)', async () => {
    privy = await startFakePrivy({ [OTP_PATH]: [created({ ...TRANSACTION, request_count: '1' })] })
    const { client } = testClient(privy.baseUrl)
    const result = await client.registrations.otp.request({
      otp_channel: 'sms',
      register_token: 'rt-1',
      reference_number: 'R-1',
    })
    expect(result).toEqual(TRANSACTION)
    expect(privy.callsTo(OTP_PATH)[0]?.body).toBe(
      '{"reference_number":"R-1","channel_id":"CH-TEST","register_token":"rt-1","otp_channel":"sms"}',
    )
    await client.close()
  })

  it('a 201 that breaks the contract still names its transaction_id, and only that, unlogged', async () => {
    privy = await startFakePrivy({
      [OTP_PATH]: [
        created({ transaction_id: 'trx-9', expired_at: 42 }),
        created({ transaction_id: 'has spaces', register_token: 'rt-secret' }),
        reply(201, 'not json'),
      ],
      [OTP_RESEND_PATH]: [created({ transaction_id: 'trx-9', request_count: 'two' })],
    })
    const { client } = testClient(privy.baseUrl)
    const input = { otp_channel: 'sms' as const, register_token: 'rt-1', reference_number: 'R-1' }
    const readable = await client.registrations.otp.request(input).catch((e) => e)
    expect(readable).toBeInstanceOf(PrivyResponseValidationError)
    expect(readable).toMatchObject({ outcome: 'unknown', lateAnswerPending: false })
    expect(readable.readable).toEqual({ transaction_id: 'trx-9' })
    // Not an own enumerable member: a logger that copies the error's members does not copy it.
    expect(Object.keys(readable)).not.toContain('readable')
    expect(JSON.stringify(readable)).not.toContain('trx-9')
    // Only what reads as an identifier, and only the named members: never the register token.
    expect((await client.registrations.otp.request(input).catch((e) => e)).readable).toEqual({})
    expect((await client.registrations.otp.request(input).catch((e) => e)).readable).toEqual({})
    const resent = await client.registrations.otp.resend({ transaction_id: 'trx-9' }).catch((e) => e)
    expect(resent.readable).toEqual({ transaction_id: 'trx-9' })
    await client.close()
  })

  it('validates a code with a body of only transaction_id and otp_code', async () => {
    privy = await startFakePrivy({
      [OTP_VALIDATION_PATH]: [created({ transaction_id: 'trx-1', status: 'validated' })],
    })
    const { client } = testClient(privy.baseUrl)
    const result = await client.registrations.otp.validate({ transaction_id: 'trx-1', otp_code: '123456' })
    expect(result).toEqual({ transaction_id: 'trx-1', status: 'validated' })
    expect(privy.callsTo(OTP_VALIDATION_PATH)[0]?.body).toBe('{"transaction_id":"trx-1","otp_code":"123456"}')
    await client.close()
  })

  it('reports a wrong code with remaining attempts, and a lock, without retrying', async () => {
    privy = await startFakePrivy({
      [OTP_VALIDATION_PATH]: [
        errorReply(422, ['wrong code'], { data: { remaining_attempts: 2 } }),
        errorReply(423, ['locked']),
      ],
    })
    const { client } = testClient(privy.baseUrl)
    const wrong = await client.registrations.otp
      .validate({ transaction_id: 'trx-1', otp_code: '000000' })
      .catch((e) => e)
    expect(wrong).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(wrong).toMatchObject({ remainingAttempts: 2, messages: ['wrong code'], outcome: 'not_applied' })
    const locked = await client.registrations.otp
      .validate({ transaction_id: 'trx-1', otp_code: '000000' })
      .catch((e) => e)
    expect(locked).toBeInstanceOf(PrivyLockedError)
    expect(privy.callsTo(OTP_VALIDATION_PATH)).toHaveLength(2)
    await client.close()
  })

  it('refuses a validation answer whose status is not "validated"', async () => {
    privy = await startFakePrivy({
      [OTP_VALIDATION_PATH]: [created({ transaction_id: 'trx-1', status: 'pending' })],
    })
    const { client } = testClient(privy.baseUrl)
    await expect(
      client.registrations.otp.validate({ transaction_id: 'trx-1', otp_code: '1' }),
    ).rejects.toBeInstanceOf(PrivyResponseValidationError)
    await client.close()
  })

  it('resends with only transaction_id; a 429 carries retry_after and is not retried', async () => {
    privy = await startFakePrivy({
      [OTP_RESEND_PATH]: [
        errorReply(429, ['too early'], { data: { retry_after: '45' } }),
        created(TRANSACTION),
      ],
    })
    const { client, sleeps } = testClient(privy.baseUrl)
    const error = await client.registrations.otp.resend({ transaction_id: 'trx-1' }).catch((e) => e)
    expect(error).toBeInstanceOf(PrivyRateLimitError)
    expect(error).toMatchObject({ retryAfterSeconds: 45, outcome: 'not_applied' })
    expect(sleeps).toEqual([])
    expect(privy.callsTo(OTP_RESEND_PATH)).toHaveLength(1)
    expect(privy.callsTo(OTP_RESEND_PATH)[0]?.body).toBe('{"transaction_id":"trx-1"}')
    await expect(client.registrations.otp.resend({ transaction_id: 'trx-1' })).resolves.toEqual(TRANSACTION)
    await client.close()
  })
})
