import type { ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import {
  createPrivyClient,
  type DocumentRef,
  type LateAnswer,
  PrivyAuthenticationError,
  type PrivyClient,
  PrivyConflictError,
  type PrivyError,
  PrivyResponseValidationError,
  PrivyTimeoutError,
  PrivyUnprocessableEntityError,
  type RegisterResult,
  type RegistrationRef,
} from '../../src/privy/index.js'
import { signatureMatches } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { verifiedSigner } from '../../src/simulator/testing/documents.js'
import { TINY_JPEG_BASE64, TINY_PNG_BASE64, uniqueReference } from '../../src/simulator/testing/fixtures.js'
import { A4, makePdf } from '../../src/simulator/testing/pdfs.js'
import {
  CREDENTIALS,
  created,
  errorReply,
  type FakePrivy,
  held,
  REGISTER_PATH,
  REGISTERED,
  STATUS_PATH,
  startFakePrivy,
  TOKEN_PATH,
  testClient,
  tokenReply,
} from './privy-fake-server.js'

// Late-answer capture (src/privy/late-answers.ts): a side-effect call past its deadline rejects at
// once, but its request runs on until lateAnswerMs and a late answer reaches `onLateAnswer`.

const TIMEOUT_MS = 200
const LATE_ANSWER_MS = 1_500
/** Long enough that a test only ends in time if the client aborts by itself. */
const FOREVER_MS = 600_000

const input = {
  reference_number: 'REG-0001',
  registration_type: 'landing_page',
  email: 'siti@example.co.id',
  phone: '6281234567890',
} as const

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

/** Polls with a deadline instead of waiting a fixed time. */
const eventually = <T>(read: () => T) => expect.poll(read, { timeout: 5_000, interval: 10 })

/** Collects what `onLateAnswer` receives. */
function collector<T>() {
  const answers: LateAnswer<T>[] = []
  return { answers, onLateAnswer: (late: LateAnswer<T>) => void answers.push(late) }
}

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

function lateClient(
  baseUrl: string,
  lateAnswerMs = LATE_ANSWER_MS,
  onLateAnswerError?: (error: unknown, operation: string) => void,
) {
  let n = 0
  return testClient(baseUrl, {
    onLateAnswerError,
    timeoutMs: TIMEOUT_MS,
    uploadTimeoutMs: TIMEOUT_MS,
    lateAnswerMs,
    uuid: () => `req-${++n}`,
    enterprisePrivyId: 'ENT-001',
    enterpriseToken: 'ent-token-xyz',
  })
}

describe('Late answers (fake Privy)', () => {
  it('delivers a late success with the typed data, after the caller got a pending timeout', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client, events, clock } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    const error = await failure(client.registrations.register(input, { onLateAnswer }))
    // The id the register call carried (a busy machine may have retried the token fetch before it).
    const registerId = privy.callsTo(REGISTER_PATH)[0]?.headers['request-id']
    expect(registerId).toMatch(/^req-\d+$/)
    expect(error).toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({
      phase: 'response',
      outcome: 'unknown',
      operation: 'registrations.register',
      requestId: registerId,
      lateAnswerPending: true,
      lateAnswerUntil: new Date(clock.now.getTime() + LATE_ANSWER_MS),
    })
    expect(answers).toEqual([])

    register.answer(created(REGISTERED))
    await eventually(() => answers.length).toBe(1)
    expect(answers[0]).toEqual({
      ok: true,
      data: REGISTERED,
      operation: 'registrations.register',
      requestId: registerId,
    })
    const late = answers[0]
    // The data is typed as the call's own result.
    if (late?.ok) expect(late.data.register_token).toBe('rt-1')

    const registerEvents = events.filter((e) => e.operation === 'registrations.register')
    expect(
      registerEvents.map(({ attempt, status, errorName, late }) => ({ attempt, status, errorName, late })),
    ).toEqual([
      { attempt: 1, status: undefined, errorName: 'PrivyTimeoutError', late: undefined },
      { attempt: 1, status: 201, errorName: undefined, late: true },
    ])
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    await client.close()
  })

  it('delivers a late refusal as a typed error, and a late unreadable 201 as a validation error', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    await failure(client.registrations.register(input, { onLateAnswer }))
    register.answer(errorReply(409, ['reference_number already used']))
    await eventually(() => answers.length).toBe(1)
    const [conflict] = answers
    expect(conflict).toMatchObject({ ok: false, operation: 'registrations.register' })
    if (conflict?.ok === false) {
      expect(conflict.error).toBeInstanceOf(PrivyConflictError)
      expect(conflict.error).toMatchObject({
        status: 409,
        outcome: 'not_applied',
        messages: [expect.any(String)],
      })
    }

    await failure(client.registrations.register(input, { onLateAnswer }))
    register.answer(created({ ...REGISTERED, register_token: '' }))
    await eventually(() => answers.length).toBe(2)
    const invalid = answers[1]
    expect(invalid?.ok).toBe(false)
    if (invalid?.ok === false) {
      expect(invalid.error).toBeInstanceOf(PrivyResponseValidationError)
      expect(invalid.error).toMatchObject({ outcome: 'unknown', issues: [{ path: 'register_token' }] })
    }
    await client.close()
  })

  it('aborts the request at lateAnswerMs and delivers nothing', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client, events } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    const error = await failure(client.registrations.register(input, { onLateAnswer }))
    expect(error).toMatchObject({ lateAnswerPending: true })
    await eventually(() => register.clientGone).toBe(true)
    await eventually(() => events.find((e) => e.late)).toMatchObject({
      operation: 'registrations.register',
      errorName: 'PrivyTimeoutError',
    })
    register.answer(created(REGISTERED))
    expect(answers).toEqual([])
    await client.close()
  })

  it('delivers nothing when the connection fails in the late window', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client, events } = lateClient(privy.baseUrl, FOREVER_MS)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    await failure(client.registrations.register(input, { onLateAnswer }))
    register.drop()
    await eventually(() => events.find((e) => e.late)?.errorName).toBe('PrivyConnectionError')
    expect(answers).toEqual([])
    await client.close()
  })

  it('close() aborts the requests waiting for a late answer at once and calls nothing', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client, events } = lateClient(privy.baseUrl, FOREVER_MS)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    await failure(client.registrations.register(input, { onLateAnswer }))
    await withinTestDeadline(client.close(), 'close() waited for a late answer')
    await eventually(() => register.clientGone).toBe(true)
    await eventually(() => events.find((e) => e.late)?.errorName).toBe('PrivyConnectionError')
    expect(answers).toEqual([])
  })

  it('close() waits for a late-answer callback that is still running', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client } = lateClient(privy.baseUrl)
    let finish: () => void = () => {}
    let started = false
    const onLateAnswer = () => {
      started = true
      return new Promise<void>((resolve) => {
        finish = resolve
      })
    }

    await failure(client.registrations.register(input, { onLateAnswer }))
    register.answer(created(REGISTERED))
    await eventually(() => started).toBe(true)
    let closed = false
    const closing = client.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(closed).toBe(false)
    finish()
    await closing
    expect(closed).toBe(true)
  })

  it('never lets a throwing or rejecting callback reach the client', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const reported: string[] = []
    const { client } = lateClient(privy.baseUrl, LATE_ANSWER_MS, (error, operation) =>
      reported.push(`${operation}: ${error instanceof Error ? error.message : String(error)}`),
    )
    const calls: string[] = []

    await failure(
      client.registrations.register(input, {
        onLateAnswer: () => {
          calls.push('throws')
          throw new Error('handler bug')
        },
      }),
    )
    register.answer(created(REGISTERED))
    await eventually(() => calls).toEqual(['throws'])

    await failure(
      client.registrations.register(input, {
        onLateAnswer: async () => {
          calls.push('rejects')
          throw new Error('handler bug, async')
        },
      }),
    )
    register.answer(created(REGISTERED))
    await eventually(() => calls).toEqual(['throws', 'rejects'])
    // Swallowed by the client, but reported: a failing handler never goes unnoticed.
    await eventually(() => reported).toEqual([
      'registrations.register: handler bug',
      'registrations.register: handler bug, async',
    ])

    // The client goes on working, and close() is not disturbed by the rejected callback.
    const { answers, onLateAnswer } = collector<RegisterResult>()
    await failure(client.registrations.register(input, { onLateAnswer }))
    register.answer(created(REGISTERED))
    await eventually(() => answers.length).toBe(1)
    await client.close()
  })

  it('never calls onLateAnswer for an answer in time', async () => {
    privy = await startFakePrivy({
      [REGISTER_PATH]: [errorReply(422, ['phone is invalid']), created(REGISTERED)],
    })
    const { client } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()
    const refused = await failure(client.registrations.register(input, { onLateAnswer }))
    expect(refused).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(refused).toMatchObject({ lateAnswerPending: false })
    await expect(client.registrations.register(input, { onLateAnswer })).resolves.toEqual(REGISTERED)
    await client.close()
    expect(answers).toEqual([])
  })
})

describe('Late answers: what stays as it was', () => {
  it('a side-effect call without onLateAnswer is aborted at its deadline', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client } = lateClient(privy.baseUrl, FOREVER_MS)
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({ outcome: 'unknown', lateAnswerPending: false, lateAnswerUntil: undefined })
    await eventually(() => register.clientGone).toBe(true)
    await client.close()
  })

  it('read-only calls take no late-answer option and are aborted and retried as before', async () => {
    const status = held()
    privy = await startFakePrivy({ [STATUS_PATH]: [status.responder] })
    const { client, sleeps } = lateClient(privy.baseUrl, FOREVER_MS)
    const ref = { reference_number: 'REG-0001', register_token: 'rt-1' }
    // Read-only calls are safe to repeat: retried, never listened to late, so they take no options.
    expectTypeOf(client.registrations.status).parameters.toEqualTypeOf<[RegistrationRef]>()
    expectTypeOf(client.documents.status).parameters.toEqualTypeOf<[DocumentRef]>()
    expectTypeOf(client.documents.history).parameters.toEqualTypeOf<[DocumentRef]>()
    const error = await failure(client.registrations.status(ref))
    expect(error).toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({ lateAnswerPending: false })
    expect(status.count).toBe(3)
    expect(sleeps).toHaveLength(2)
    await eventually(() => status.clientGone).toBe(true)
    await client.close()
  })

  it('keeps the token retry and the 401 re-send, each attempt signed afresh; the late answer is the last one', async () => {
    const register = held()
    privy = await startFakePrivy({
      [TOKEN_PATH]: [errorReply(503), tokenReply('token-1'), tokenReply('token-2')],
      [REGISTER_PATH]: [errorReply(401, ['token expired']), register.responder],
    })
    const { client, sleeps } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()

    const error = await failure(client.registrations.register(input, { onLateAnswer }))
    expect(error).toMatchObject({ lateAnswerPending: true })
    expect(sleeps).toHaveLength(1)
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(3)
    const calls = privy.callsTo(REGISTER_PATH)
    expect(calls.map((c) => c.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    const ids = calls.map((c) => c.headers['request-id'])
    expect(new Set(ids).size).toBe(2)
    expect(error).toMatchObject({ requestId: ids[1] })
    for (const call of calls) {
      const signed = signatureMatches(
        { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
        String(call.headers.timestamp),
        call.json,
        String(call.headers.signature),
      )
      expect(signed).toBe(true)
    }

    register.answer(created(REGISTERED))
    await eventually(() => answers.length).toBe(1)
    expect(answers[0]).toMatchObject({ ok: true, requestId: ids[1] })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(2)
    await client.close()
  })

  it('a late 401 is delivered, not answered with a re-send', async () => {
    const register = held()
    privy = await startFakePrivy({ [REGISTER_PATH]: [register.responder] })
    const { client } = lateClient(privy.baseUrl)
    const { answers, onLateAnswer } = collector<RegisterResult>()
    await failure(client.registrations.register(input, { onLateAnswer }))
    register.answer(errorReply(401, ['token expired']))
    await eventually(() => answers.length).toBe(1)
    expect(answers[0]?.ok === false && answers[0].error).toBeInstanceOf(PrivyAuthenticationError)
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    expect(privy.callsTo(TOKEN_PATH)).toHaveLength(1)
    await client.close()
  })

  it('refuses a lateAnswerMs shorter than timeoutMs', () => {
    const base = { baseUrl: 'https://stg-core.privy.id', ...CREDENTIALS }
    expect(() => createPrivyClient({ ...base, timeoutMs: 15_000, lateAnswerMs: 5_000 })).toThrow(
      /lateAnswerMs/,
    )
    expect(() => createPrivyClient({ ...base, lateAnswerMs: 0 })).toThrow(/lateAnswerMs/)
    // Without lateAnswerMs the default grows with a long timeoutMs instead of refusing it.
    expect(() => createPrivyClient({ ...base, timeoutMs: 200_000 })).not.toThrow()
  })
})

const TRANSACTION = {
  transaction_id: 'trx-1',
  otp_channel: 'sms',
  expired_at: '2026-11-25T10:15:00+07:00',
  resend_available_at: '2026-11-25T10:01:00+07:00',
  request_count: 1,
  maximum_otp_request: 3,
}
const REGISTRATION_REF = { reference_number: 'REG-0001', register_token: 'rt-1' }
const DOCUMENT_REF = { reference_number: 'DOC-0001', document_token: 'dt-1' }
const OTP = { transaction_id: 'trx-1', otp_code: '123456' }

type SideEffectCase = [
  name: string,
  path: string,
  data: unknown,
  call: (client: PrivyClient, onLateAnswer: (late: LateAnswer<unknown>) => void) => Promise<unknown>,
]

const SIDE_EFFECT_CALLS: SideEffectCase[] = [
  [
    'registrations.register',
    REGISTER_PATH,
    REGISTERED,
    (c, h) => c.registrations.register(input, { onLateAnswer: h }),
  ],
  [
    'registrations.resend',
    '/web/api/v2/register/resend',
    { ...REGISTRATION_REF, channel_id: 'CH-TEST', status: 'waiting_verification' },
    (c, h) => c.registrations.resend({ ...REGISTRATION_REF, nik: '3174012345678900' }, { onLateAnswer: h }),
  ],
  [
    'registrations.otp.request',
    '/web/api/v2/register/otp',
    TRANSACTION,
    (c, h) => c.registrations.otp.request({ ...REGISTRATION_REF, otp_channel: 'sms' }, { onLateAnswer: h }),
  ],
  [
    'registrations.otp.validate',
    '/web/api/v2/register/otp-validation',
    { transaction_id: 'trx-1', status: 'validated' },
    (c, h) => c.registrations.otp.validate(OTP, { onLateAnswer: h }),
  ],
  [
    'registrations.otp.resend',
    '/web/api/v2/register/otp-resend',
    { ...TRANSACTION, request_count: 2 },
    (c, h) => c.registrations.otp.resend({ transaction_id: 'trx-1' }, { onLateAnswer: h }),
  ],
  [
    'documents.upload',
    '/web/api/v2/doc-signing',
    {
      ...DOCUMENT_REF,
      channel_id: 'CH-TEST',
      status: 'uploaded',
      signing_url: 'https://privy.example/sign/dt-1',
    },
    (c, h) =>
      c.documents.upload(
        {
          reference_number: 'DOC-0001',
          doc_process: '0',
          visibility: true,
          document: { file: Buffer.from('%PDF-1.7\n'), name: 'a.pdf', sign_process: '0' },
          recipients: [
            { privy_id: 'PRV-1', signer_type: 'Signer', notify: true, positions: [{ x: 1, y: 1, page: 1 }] },
          ],
        },
        { onLateAnswer: h },
      ),
  ],
  [
    'documents.revoke',
    '/web/api/v2/doc-signing/delete',
    { document_token: 'dt-1', deleted_at: '2026-11-25T10:00:00+07:00' },
    (c, h) => c.documents.revoke(DOCUMENT_REF, { onLateAnswer: h }),
  ],
  [
    'documents.otp.request',
    '/web/api/v2/doc-signing/otp/request',
    TRANSACTION,
    (c, h) =>
      c.documents.otp.request(
        { signer_privy_id: 'PRV-1', document_tokens: ['dt-1'], otp_channel: 'sms' },
        { onLateAnswer: h },
      ),
  ],
  [
    'documents.otp.validate',
    '/web/api/v2/doc-signing/otp/validation',
    {
      transaction_id: 'trx-1',
      status: 'validated',
      documents: [{ document_token: 'dt-1', status: 'processing' }],
    },
    (c, h) => c.documents.otp.validate(OTP, { onLateAnswer: h }),
  ],
  [
    'documents.otp.resend',
    '/web/api/v2/doc-signing/otp/resend',
    { ...TRANSACTION, request_count: 2 },
    (c, h) => c.documents.otp.resend({ transaction_id: 'trx-1' }, { onLateAnswer: h }),
  ],
]

describe('Late answers: every call with side effects', () => {
  it.each(SIDE_EFFECT_CALLS)(
    '%s (%s) takes onLateAnswer and gets its typed data',
    async (operation, path, data, call) => {
      const request = held()
      privy = await startFakePrivy({ [path]: [request.responder] })
      const { client } = lateClient(privy.baseUrl)
      const { answers, onLateAnswer } = collector<unknown>()
      const error = await failure(call(client, onLateAnswer))
      expect(error).toBeInstanceOf(PrivyTimeoutError)
      expect(error).toMatchObject({ operation, lateAnswerPending: true })
      request.answer(created(data))
      await eventually(() => answers.length).toBe(1)
      expect(answers[0]).toEqual({ ok: true, data, operation, requestId: (error as PrivyError).requestId })
      expect(request.count).toBe(1)
      await client.close()
    },
  )
})

describe('Late answers against the simulator (commit_then_timeout over a real socket)', () => {
  let simulator: RunningSimulator
  let sim: SimulatorClient
  let client: PrivyClient
  /** The server side of every request to the simulator, to see when the client closed one. */
  const responses: Array<{ path: string; res: ServerResponse }> = []

  beforeAll(async () => {
    simulator = await startSimulator()
    sim = new SimulatorClient(simulator.url)
    simulator.app.server.on('request', (req, res: ServerResponse) => {
      responses.push({ path: req.url ?? '', res })
    })
  })
  afterAll(async () => {
    await simulator.close()
  })
  afterEach(async () => {
    await client.close()
    await sim.sim('DELETE', '/__sim/faults')
  })

  /** The simulator's response to the first register request made after `before` requests. */
  const serverSide = (before: number) => responses.slice(before).find((r) => r.path === REGISTER_PATH)?.res
  const simClient = (lateAnswerMs = LATE_ANSWER_MS) => {
    client = createPrivyClient({
      baseUrl: simulator.url,
      ...DEV_CREDENTIALS,
      timeoutMs: TIMEOUT_MS,
      uploadTimeoutMs: TIMEOUT_MS,
      lateAnswerMs,
    })
    return client
  }
  const commitThenTimeout = async (path: string, delayMs: number) => {
    const response = await sim.sim('POST', '/__sim/faults', {
      path,
      kind: 'commit_then_timeout',
      delay_ms: delayMs,
    })
    expect(response.status).toBe(201)
  }
  const registration = (overrides: Record<string, unknown> = {}) => ({
    reference_number: uniqueReference(),
    registration_type: 'landing_page' as const,
    email: 'siti@example.co.id',
    phone: '6281234567890',
    ...overrides,
  })
  const simRegistration = async (reference: string) =>
    (await sim.sim('GET', `/__sim/registrations/${reference}`)).json as Record<string, unknown>

  it('a register that Privy committed late still yields its register_token', async () => {
    const privyClient = simClient()
    await commitThenTimeout(REGISTER_PATH, 600)
    const body = registration()
    const { answers, onLateAnswer } = collector<RegisterResult>()
    const error = await failure(privyClient.registrations.register(body, { onLateAnswer }))
    expect(error).toMatchObject({ name: 'PrivyTimeoutError', outcome: 'unknown', lateAnswerPending: true })
    await eventually(() => answers.length).toBe(1)
    const upstream = await simRegistration(body.reference_number)
    expect(answers[0]).toMatchObject({
      ok: true,
      data: {
        reference_number: body.reference_number,
        register_token: upstream.register_token,
        status: 'pending',
      },
    })
  })

  it('a late 409 arrives as PrivyConflictError', async () => {
    const privyClient = simClient()
    const body = registration()
    await privyClient.registrations.register(body)
    await commitThenTimeout(REGISTER_PATH, 600)
    const { answers, onLateAnswer } = collector<RegisterResult>()
    await failure(privyClient.registrations.register(body, { onLateAnswer }))
    await eventually(() => answers.length).toBe(1)
    const late = answers[0]
    expect(late?.ok === false && late.error).toBeInstanceOf(PrivyConflictError)
  })

  it('an answer after lateAnswerMs is not waited for: the socket is closed, nothing delivered', async () => {
    const privyClient = simClient()
    await commitThenTimeout(REGISTER_PATH, 20_000)
    const body = registration()
    const { answers, onLateAnswer } = collector<RegisterResult>()
    const before = responses.length
    const error = await failure(privyClient.registrations.register(body, { onLateAnswer }))
    expect(error).toMatchObject({ lateAnswerPending: true })
    await eventually(() => serverSide(before)?.destroyed).toBe(true)
    expect((await simRegistration(body.reference_number)).reference_number).toBe(body.reference_number)
    expect(answers).toEqual([])
  })

  it('close() ends a late wait on the simulator at once', async () => {
    const privyClient = simClient(FOREVER_MS)
    await commitThenTimeout(REGISTER_PATH, 20_000)
    const { answers, onLateAnswer } = collector<RegisterResult>()
    const before = responses.length
    await failure(privyClient.registrations.register(registration(), { onLateAnswer }))
    await withinTestDeadline(privyClient.close(), 'close() waited for the late answer')
    await eventually(() => serverSide(before)?.destroyed).toBe(true)
    expect(answers).toEqual([])
  })

  it('a late upload yields its document_token, a late registration OTP its transaction_id', async () => {
    const privyClient = simClient()
    const signer = await verifiedSigner(sim)
    const pdf = Buffer.from(await makePdf({ pages: [A4] }))
    await commitThenTimeout('/web/api/v2/doc-signing', 600)
    const uploads = collector<unknown>()
    const reference = uniqueReference('DOC')
    const uploadError = await failure(
      privyClient.documents.upload(
        {
          reference_number: reference,
          doc_process: '0',
          visibility: true,
          document: { file: pdf, name: 'Perjanjian.pdf', sign_process: '0' },
          recipients: [
            {
              privy_id: signer.privy_id,
              signer_type: 'Signer',
              notify: true,
              positions: [{ x: 50, y: 50, page: 1 }],
            },
          ],
        },
        { onLateAnswer: uploads.onLateAnswer },
      ),
    )
    expect(uploadError).toMatchObject({ operation: 'documents.upload', lateAnswerPending: true })
    await eventually(() => uploads.answers.length).toBe(1)
    const upstream = (await sim.sim('GET', `/__sim/documents/${reference}`)).json as Record<string, unknown>
    expect(uploads.answers[0]).toMatchObject({
      ok: true,
      data: { reference_number: reference, document_token: upstream.document_token, status: 'uploaded' },
    })

    // privy_ra without phone_verified waits for a registration OTP.
    const waiting = await privyClient.registrations.register({
      ...registration({ registration_type: 'privy_ra' }),
      name: 'Siti Aminah',
      nik: '3174012345678900',
      dob: '1990-01-31',
      identity: Buffer.from(TINY_JPEG_BASE64, 'base64'),
      selfie: Buffer.from(TINY_PNG_BASE64, 'base64'),
    })
    await commitThenTimeout('/web/api/v2/register/otp', 600)
    const otps = collector<unknown>()
    await failure(
      privyClient.registrations.otp.request(
        {
          reference_number: waiting.reference_number,
          register_token: waiting.register_token,
          otp_channel: 'sms',
        },
        { onLateAnswer: otps.onLateAnswer },
      ),
    )
    await eventually(() => otps.answers.length).toBe(1)
    const listed = (await sim.sim('GET', `/__sim/otps?reference_number=${waiting.reference_number}`))
      .json as {
      otps: Array<{ transaction_id: string }>
    }
    expect(otps.answers[0]).toMatchObject({
      ok: true,
      data: { transaction_id: listed.otps[0]?.transaction_id },
    })
  })
})

/** Fails with `message` instead of hanging the test when `promise` does not settle soon. */
async function withinTestDeadline<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), 10_000)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
