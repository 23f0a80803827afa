import { afterEach, describe, expect, it } from 'vitest'
import {
  PrivyApiError,
  PrivyBadRequestError,
  PrivyConflictError,
  PrivyLockedError,
  PrivyNotFoundError,
  PrivyPermissionDeniedError,
  PrivyRateLimitError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyUnprocessableEntityError,
} from '../../src/privy/index.js'
import {
  created,
  errorReply,
  type FakePrivy,
  REGISTER_PATH,
  REGISTERED,
  reply,
  STATUS_DATA,
  STATUS_PATH,
  startFakePrivy,
  testClient,
} from './privy-fake-server.js'

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

const input = {
  reference_number: 'R-1',
  registration_type: 'landing_page',
  email: 'a@b.c',
  phone: '6281',
} as const
const ref = { reference_number: 'R-1', register_token: 'rt-1' }
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

async function registerAgainst(...responders: Parameters<typeof startFakePrivy>[0][string]) {
  privy = await startFakePrivy({ [REGISTER_PATH]: responders })
  const { client } = testClient(privy.baseUrl)
  try {
    return await failure(client.registrations.register(input))
  } finally {
    await client.close()
  }
}

async function statusFrom(data: unknown) {
  privy = await startFakePrivy({ [STATUS_PATH]: [created(data)] })
  const { client } = testClient(privy.baseUrl)
  try {
    return await client.registrations.status(ref)
  } finally {
    await client.close()
  }
}

describe('Privy error responses (contract §1)', () => {
  it.each([
    [400, PrivyBadRequestError, 'not_applied'],
    [403, PrivyPermissionDeniedError, 'not_applied'],
    [404, PrivyNotFoundError, 'not_applied'],
    [409, PrivyConflictError, 'not_applied'],
    [422, PrivyUnprocessableEntityError, 'not_applied'],
    [423, PrivyLockedError, 'not_applied'],
    [429, PrivyRateLimitError, 'not_applied'],
    [418, PrivyApiError, 'not_applied'],
    [500, PrivyServerError, 'unknown'],
    [503, PrivyServerError, 'unknown'],
  ])('HTTP %i is %o with outcome %s', async (status, ErrorClass, outcome) => {
    const error = await registerAgainst(errorReply(status, ['nope']))
    expect(error).toBeInstanceOf(ErrorClass)
    expect(error).toMatchObject({
      status,
      code: status,
      outcome,
      messages: ['nope'],
      operation: 'registrations.register',
    })
    expect(error).toHaveProperty('requestId', privy?.callsTo(REGISTER_PATH)[0]?.headers['request-id'])
  })

  it('parses 422 field errors next to plain messages', async () => {
    const errors = [
      'Validation failed',
      { field: 'nik', messages: ['must be 16 digits'] },
      { field: 'dob', message: 'bad' },
    ]
    const error = await registerAgainst(errorReply(422, errors))
    expect(error).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(error).toMatchObject({
      messages: ['Validation failed'],
      fieldErrors: [
        { field: 'nik', messages: ['must be 16 digits'] },
        { field: 'dob', messages: ['bad'] },
      ],
    })
  })

  it('reads retry_after of a 429 from data, else from the Retry-After header', async () => {
    const fromBody = await registerAgainst(errorReply(429, ['too early'], { data: { retry_after: 42 } }))
    expect(fromBody).toMatchObject({ retryAfterSeconds: 42 })
    await privy?.close()
    const fromHeader = await registerAgainst(
      reply(429, { error: { code: 429, errors: [] } }, { 'retry-after': '7' }),
    )
    expect(fromHeader).toMatchObject({ retryAfterSeconds: 7 })
    await privy?.close()
    // The test clock says 2026-11-25T03:00:00Z.
    const fromDate = await registerAgainst(reply(429, '', { 'retry-after': 'Wed, 25 Nov 2026 03:01:00 GMT' }))
    expect(fromDate).toMatchObject({ retryAfterSeconds: 60 })
  })

  it('types an unreadable error body by its HTTP status', async () => {
    const error = await registerAgainst(reply(409, '<html>Conflict</html>', { 'content-type': 'text/html' }))
    expect(error).toBeInstanceOf(PrivyConflictError)
    expect(error).toMatchObject({ code: 409, messages: [], fieldErrors: [] })
  })

  it('keeps the text of {"error": "..."} and of odd entries it can read', async () => {
    const error = await registerAgainst(reply(400, { error: 'bad channel' }))
    expect(error).toMatchObject({ messages: ['bad channel'] })
    await privy?.close()
    const odd = await registerAgainst(
      reply(400, { error: { code: 'E_BAD', errors: [1, null, { nope: true }, 'ok'] } }),
    )
    expect(odd).toMatchObject({ code: 'E_BAD', messages: ['ok'], fieldErrors: [] })
  })
})

describe('Privy success responses (contract §1, §3)', () => {
  it('malformed JSON on 201 is a PrivyResponseValidationError with outcome unknown', async () => {
    const error = await registerAgainst(reply(201, '{"message":"OK","data":{"register_token":"rt-SECRET'))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(error).toMatchObject({ status: 201, outcome: 'unknown' })
    expect(JSON.stringify(error)).not.toContain('rt-SECRET')
  })

  it('a 201 without {message, data} or with a missing field is invalid, naming the field', async () => {
    expect(await registerAgainst(reply(201, { ok: true }))).toBeInstanceOf(PrivyResponseValidationError)
    await privy?.close()
    const { register_token: _omitted, ...withoutToken } = REGISTERED
    const error = await registerAgainst(created(withoutToken))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(error).toMatchObject({ issues: [expect.objectContaining({ path: 'register_token' })] })
  })

  it('a 200 is not the contract success status', async () => {
    const error = await registerAgainst(reply(200, { message: 'OK', data: REGISTERED }))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(error).toMatchObject({ status: 200, outcome: 'unknown' })
  })

  it('allows unknown extra fields and drops them', async () => {
    const result = await statusFrom({ ...STATUS_DATA, brand_new_field: { x: 1 } })
    expect(result).toEqual(STATUS_DATA)
  })

  it('maps status registered to verified', async () => {
    const result = await statusFrom({ ...STATUS_DATA, status: 'registered', privy_id: 'PRIVY01' })
    expect(result).toMatchObject({ status: 'verified', privy_id: 'PRIVY01' })
  })

  it('refuses a status value outside the contract', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created({ ...STATUS_DATA, status: 'approved' })] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.registrations.status(ref)).rejects.toBeInstanceOf(PrivyResponseValidationError)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(1)
    await client.close()
  })

  it.each([
    [true, true],
    [false, false],
    ['1', true],
    ['0', false],
  ])('normalises resend %o to %o and reads reject_reason', async (resend, expected) => {
    const rejected = {
      ...STATUS_DATA,
      status: 'rejected',
      resend,
      reject_reason: { code: 'RC01', reason: 'KTP unreadable' },
    }
    const result = await statusFrom(rejected)
    expect(result.resend).toBe(expected)
    expect(result.reject_reason).toEqual({ code: 'RC01', reason: 'KTP unreadable' })
  })

  it('treats null optional fields as absent', async () => {
    const result = await statusFrom({ ...STATUS_DATA, privy_id: null, reject_reason: null, resend: null })
    expect(result).toEqual(STATUS_DATA)
  })
})
