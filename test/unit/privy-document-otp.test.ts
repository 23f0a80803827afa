import { afterEach, describe, expect, it } from 'vitest'
import {
  PrivyLockedError,
  PrivyRateLimitError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyUnprocessableEntityError,
} from '../../src/privy/index.js'
import { created, errorReply, type FakePrivy, startFakePrivy, testClient } from './privy-fake-server.js'

const OTP_PATH = '/web/api/v2/doc-signing/otp/request'
const OTP_VALIDATION_PATH = '/web/api/v2/doc-signing/otp/validation'
const OTP_RESEND_PATH = '/web/api/v2/doc-signing/otp/resend'

const TRANSACTION = {
  transaction_id: 'trx-doc-1',
  otp_channel: 'email',
  expired_at: '2026-11-25T10:15:00+07:00',
  resend_available_at: '2026-11-25T10:01:00+07:00',
  request_count: 1,
  maximum_otp_request: 3,
}

const VALIDATED = {
  transaction_id: 'trx-doc-1',
  status: 'validated',
  documents: [
    { document_token: 'dt-1', status: 'processing' },
    { document_token: 'dt-2', status: 'uploaded' },
  ],
}

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

describe('Document-signing OTP (contract §4.2)', () => {
  it('requests one OTP for several documents, body in the contract order', async () => {
    privy = await startFakePrivy({ [OTP_PATH]: [created({ ...TRANSACTION, maximum_otp_request: '3' })] })
    const { client } = testClient(privy.baseUrl)
    const result = await client.documents.otp.request({
      otp_channel: 'email',
      document_tokens: ['dt-1', 'dt-2'],
      signer_privy_id: 'PRV-1',
    })
    expect(result).toEqual(TRANSACTION)
    expect(privy.callsTo(OTP_PATH)[0]?.body).toBe(
      '{"channel_id":"CH-TEST","signer_privy_id":"PRV-1","document_tokens":["dt-1","dt-2"],"otp_channel":"email"}',
    )
    await client.close()
  })

  it('validates with only transaction_id and otp_code and returns the documents', async () => {
    privy = await startFakePrivy({ [OTP_VALIDATION_PATH]: [created(VALIDATED)] })
    const { client } = testClient(privy.baseUrl)
    const result = await client.documents.otp.validate({ otp_code: '123456', transaction_id: 'trx-doc-1' })
    expect(result).toEqual(VALIDATED)
    expect(privy.callsTo(OTP_VALIDATION_PATH)[0]?.body).toBe(
      '{"transaction_id":"trx-doc-1","otp_code":"123456"}',
    )
    await client.close()
  })

  it('refuses a validation answer that is not "validated" or lacks the documents', async () => {
    privy = await startFakePrivy({
      [OTP_VALIDATION_PATH]: [
        created({ ...VALIDATED, status: 'pending' }),
        created({ transaction_id: 'trx-doc-1', status: 'validated' }),
      ],
    })
    const { client } = testClient(privy.baseUrl)
    const input = { transaction_id: 'trx-doc-1', otp_code: '1' }
    await expect(client.documents.otp.validate(input)).rejects.toBeInstanceOf(PrivyResponseValidationError)
    await expect(client.documents.otp.validate(input)).rejects.toMatchObject({
      issues: [{ path: 'documents' }],
    })
    await client.close()
  })

  it('maps a wrong code (remaining attempts), an expired code and a lock, without retrying', async () => {
    privy = await startFakePrivy({
      [OTP_VALIDATION_PATH]: [
        errorReply(422, ['wrong code'], { data: { remaining_attempts: 1 } }),
        errorReply(422, ['code expired']),
        errorReply(423, ['locked']),
      ],
    })
    const { client, sleeps } = testClient(privy.baseUrl)
    const input = { transaction_id: 'trx-doc-1', otp_code: '000000' }
    const wrong = await client.documents.otp.validate(input).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(wrong).toMatchObject({
      remainingAttempts: 1,
      messages: ['wrong code'],
      outcome: 'not_applied',
      operation: 'documents.otp.validate',
    })
    const expired = await client.documents.otp.validate(input).catch((e: unknown) => e)
    expect(expired).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(expired).toMatchObject({ remainingAttempts: undefined, messages: ['code expired'] })
    await expect(client.documents.otp.validate(input)).rejects.toBeInstanceOf(PrivyLockedError)
    expect(privy.callsTo(OTP_VALIDATION_PATH)).toHaveLength(3)
    expect(sleeps).toEqual([])
    await client.close()
  })

  it('resends with only transaction_id; a 429 carries retry_after and is not retried', async () => {
    privy = await startFakePrivy({
      [OTP_RESEND_PATH]: [
        errorReply(429, ['too early'], { data: { retry_after: 42 } }),
        created({ ...TRANSACTION, request_count: 2 }),
      ],
    })
    const { client, sleeps } = testClient(privy.baseUrl)
    const error = await client.documents.otp.resend({ transaction_id: 'trx-doc-1' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrivyRateLimitError)
    expect(error).toMatchObject({ retryAfterSeconds: 42, outcome: 'not_applied' })
    expect(sleeps).toEqual([])
    expect(privy.callsTo(OTP_RESEND_PATH)).toHaveLength(1)
    await expect(client.documents.otp.resend({ transaction_id: 'trx-doc-1' })).resolves.toEqual({
      ...TRANSACTION,
      request_count: 2,
    })
    expect(privy.callsTo(OTP_RESEND_PATH).map((call) => call.body)).toEqual([
      '{"transaction_id":"trx-doc-1"}',
      '{"transaction_id":"trx-doc-1"}',
    ])
    await client.close()
  })

  it.each([
    ['request', OTP_PATH],
    ['resend', OTP_RESEND_PATH],
    ['validate', OTP_VALIDATION_PATH],
  ] as const)('%s is never retried on 503', async (method, path) => {
    privy = await startFakePrivy({ [path]: [errorReply(503), created(TRANSACTION)] })
    const { client, sleeps } = testClient(privy.baseUrl)
    const otp = client.documents.otp
    const call =
      method === 'request'
        ? otp.request({ signer_privy_id: 'PRV-1', document_tokens: ['dt-1'], otp_channel: 'sms' })
        : method === 'resend'
          ? otp.resend({ transaction_id: 'trx-doc-1' })
          : otp.validate({ transaction_id: 'trx-doc-1', otp_code: '123456' })
    await expect(call).rejects.toBeInstanceOf(PrivyServerError)
    expect(privy.callsTo(path)).toHaveLength(1)
    expect(sleeps).toEqual([])
    await client.close()
  })
})
