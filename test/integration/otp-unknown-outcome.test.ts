import { randomUUID } from 'node:crypto'
import type { GatewayClient, OtpRequest, OtpTransaction, Problem } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { register } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { documentFor, type SignerUser, signatureAt, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { type TestGateway, useGateway } from '../helpers/gateway.js'
import { nikFor } from '../helpers/identity.js'

/**
 * One user action, one SMS, even when Privy's answer to an OTP send is lost or garbled (issue 10,
 * item 5). For each send (registration OTP, signing OTP, and the resend of each) and each way the
 * answer can go wrong, the user's request meets the fault while 5 retries with its Idempotency-Key
 * and 2 new requests without one come at once, and once more each after it answered. In every run:
 * exactly one request reaches Privy and exactly one message is sent, every answer names the one OTP
 * and says what to do, and the OTP settles: usable (validated with the code that was sent) when its
 * transaction id is known, else freed once the code it may have sent has expired, when exactly one
 * new SMS goes.
 */

const PRIVY_TIMEOUT_MS = 1_000
const LATE_ANSWER_MS = 3_000

interface Fault {
  name: string
  spec: Record<string, unknown>
  /** The transaction id comes back (in time, late, or readable in a garbled 201). */
  idKnown: boolean
}

const FAULTS: Fault[] = [
  {
    name: 'commit then time out, answered within the late window',
    spec: { kind: 'commit_then_timeout', delay_ms: 2_000 },
    idKnown: true,
  },
  {
    name: 'commit then time out, answered after the late window',
    spec: { kind: 'commit_then_timeout', delay_ms: LATE_ANSWER_MS + 1_000 },
    idKnown: false,
  },
  {
    name: 'a 201 whose data breaks the schema but names its transaction',
    spec: { kind: 'malformed_data' },
    idKnown: true,
  },
  { name: 'a 201 whose body is not JSON', spec: { kind: 'malformed_json' }, idKnown: false },
]

/**
 * The same database and simulator behind ordinary deadlines, for everything around the storms
 * (registrations, uploads, codes checked), so that a busy machine cannot make those time out.
 */
const setup = useGateway({ BACKGROUND_JOBS_ENABLED: 'false' })
/** The gateway the storms meet: short Privy deadlines, a quick reconciler. */
const gateway = useGateway(
  {
    PRIVY_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
    PRIVY_LATE_ANSWER_MS: String(LATE_ANSWER_MS),
    RECONCILE_INTERVAL_MS: '200',
  },
  () => ({ database: setup.database, simulator: setup.simulator }),
)
let signer: SignerUser
beforeAll(async () => {
  signer = await verifiedUser(setup, 'unknown-outcome-signer')
})

const gatewayNow = () => Date.now() + gateway.clock.offset()

/** One kind of send: how to make a fresh target, send, count its messages and find its code. */
interface Operation {
  name: string
  path: string
  /** A new OTP (`request`) or a resend of a known one. */
  kind: 'request' | 'resend'
  prepare(): Promise<Target>
}

/** An answer of an OTP send (`answered`): status, headers, exact text, the OTP or the problem. */
interface OtpAnswer {
  status: number
  headers: Headers
  text: string
  data?: OtpTransaction
  error?: Problem
}

/** One OTP send through `via` as the holder of `token`, answered as is. */
async function sendAs(
  via: TestGateway,
  token: string,
  send: (client: GatewayClient) => Promise<{ data?: OtpTransaction; error?: Problem; response: Response }>,
): Promise<OtpAnswer> {
  return answered(await send(await clientFor(via, { token })))
}

interface Target {
  token: string
  /** Through the storm gateway, or `via` another. */
  send(key: string | undefined, via?: TestGateway): Promise<OtpAnswer>
  messages(): Promise<number>
  /** The code Privy sent last for the OTP transaction `otpId`. */
  code(otpId: string): Promise<string>
}

let people = 0
async function waitingOtpRegistration() {
  people += 1
  const sub = `unknown-outcome-${people}`
  const token = await gateway.userToken(sub)
  const dob = `19${60 + people}-0${1 + (people % 9)}-1${people % 10}`
  const created = await register(setup, { token }, { email: `${sub}@example.co.id`, nik: nikFor(dob), dob })
  expect(created.status).toBe('waiting_otp')
  return { token, id: created.id, reference: created.reference_number }
}

async function uploadedDocument(): Promise<string> {
  return (await documentFor(setup, signer, 'Unknown outcome', signatureAt(1, 60, 60))).id
}

const withKey = (key: string | undefined): Record<string, string> =>
  key === undefined ? {} : { 'idempotency-key': key }

const resend = (client: GatewayClient, id: string, key: string | undefined) =>
  client.raw.POST('/v1/otp/{id}/resend', { params: { path: { id } }, headers: withKey(key) })

async function upstreamTransaction(otpId: string): Promise<string> {
  const row = await gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: otpId } })
  expect(row.upstreamTransactionId).not.toBeNull()
  return row.upstreamTransactionId ?? ''
}

async function simCode(query: string, otpId: string): Promise<string> {
  const transactionId = await upstreamTransaction(otpId)
  const listed = await gateway.sim('GET', `/__sim/otps?${query}`)
  const otp = (listed.json.otps as Array<{ transaction_id: string; code: string }>).find(
    (candidate) => candidate.transaction_id === transactionId,
  )
  expect(otp).toBeDefined()
  return otp?.code ?? ''
}

const signerMessages = async () =>
  (await gateway.sim('GET', '/__sim/messages')).json.messages.filter(
    (message: { signer_privy_id?: string }) => message.signer_privy_id === signer.privyId,
  ).length

function registrationTarget(registration: Awaited<ReturnType<typeof waitingOtpRegistration>>) {
  return {
    token: registration.token,
    messages: async () =>
      (await gateway.sim('GET', `/__sim/messages?reference_number=${registration.reference}`)).json.messages
        .length as number,
    code: (otpId: string) => simCode(`reference_number=${registration.reference}`, otpId),
  }
}

/** A sent OTP whose resend is due (the simulator's 60 s lifted, the gateway's clock a minute on). */
async function resendable(token: string, body: OtpRequest): Promise<string> {
  const otp = await (await clientFor(setup, { token })).otp.request(body).withResponse()
  expect(otp.response.status).toBe(201)
  await gateway.sim('POST', `/__sim/otps/${await upstreamTransaction(otp.data.id)}/allow-resend`)
  gateway.clock.advance(61_000)
  return otp.data.id
}

const OPERATIONS: Operation[] = [
  {
    name: 'registration OTP request',
    path: '/web/api/v2/register/otp',
    kind: 'request',
    async prepare() {
      const registration = await waitingOtpRegistration()
      const body: OtpRequest = {
        otp_type: 'registration',
        otp_channel: 'sms',
        registration_id: registration.id,
      }
      return {
        ...registrationTarget(registration),
        send: (key, via = gateway) =>
          sendAs(via, registration.token, (client) =>
            client.raw.POST('/v1/otp', { body, headers: withKey(key) }),
          ),
      }
    },
  },
  {
    name: 'document-signing OTP request',
    path: '/web/api/v2/doc-signing/otp/request',
    kind: 'request',
    async prepare() {
      const body: OtpRequest = {
        otp_type: 'document_signing',
        otp_channel: 'sms',
        document_ids: [await uploadedDocument()],
      }
      return {
        token: signer.token,
        send: (key, via = gateway) =>
          sendAs(via, signer.token, (client) => client.raw.POST('/v1/otp', { body, headers: withKey(key) })),
        messages: signerMessages,
        code: (otpId) => simCode(`signer_privy_id=${signer.privyId}`, otpId),
      }
    },
  },
  {
    name: 'registration OTP resend',
    path: '/web/api/v2/register/otp-resend',
    kind: 'resend',
    async prepare() {
      const registration = await waitingOtpRegistration()
      const otpId = await resendable(registration.token, {
        otp_type: 'registration',
        otp_channel: 'sms',
        registration_id: registration.id,
      })
      return {
        ...registrationTarget(registration),
        send: (key, via = gateway) => sendAs(via, registration.token, (client) => resend(client, otpId, key)),
      }
    },
  },
  {
    name: 'document-signing OTP resend',
    path: '/web/api/v2/doc-signing/otp/resend',
    kind: 'resend',
    async prepare() {
      const otpId = await resendable(signer.token, {
        otp_type: 'document_signing',
        otp_channel: 'sms',
        document_ids: [await uploadedDocument()],
      })
      return {
        token: signer.token,
        send: (key, via = gateway) => sendAs(via, signer.token, (client) => resend(client, otpId, key)),
        messages: signerMessages,
        code: (otpId) => simCode(`signer_privy_id=${signer.privyId}`, otpId),
      }
    },
  },
]

const RUNS = 3

const upstreamRequests = async (path: string): Promise<number> =>
  (await gateway.sim('GET', `/__sim/requests/count?path=${encodeURIComponent(path)}`)).json.count

/** What an answer may be while the send is unsettled, or after it settled, without a second SMS. */
const WAITING: Record<string, number> = {
  IDEMPOTENCY_KEY_IN_USE: 409,
  OPERATION_PENDING: 409,
  // A request for a target whose OTP is settled and known: resend it instead.
  OTP_ALREADY_SENT: 409,
  // A resend whose predecessor counts as sent: the next one waits its 60 s.
  OTP_RESEND_TOO_EARLY: 429,
}

/** Every answer names the one OTP, and a refusal is one of the waits, saying what to do next. */
function expectAbout(answer: OtpAnswer, otpId: string): void {
  if (answer.status < 300) {
    expect(answer.data?.id).toBe(otpId)
    return
  }
  expect(answer.headers.get('content-type')).toContain('application/problem+json')
  const code = answer.error?.code ?? ''
  expect(Object.keys(WAITING), answer.text).toContain(code)
  expect(answer.status).toBe(WAITING[code])
  if (code !== 'OTP_ALREADY_SENT') expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
  if (answer.error?.otp_id !== undefined) expect(answer.error.otp_id).toBe(otpId)
  if (code === 'OPERATION_PENDING') {
    expect(['validate_otp', 'wait']).toContain(answer.error?.next_action)
    expect(Date.parse(String(answer.error?.retry_at))).toBeGreaterThan(gatewayNow() - 5_000)
  }
}

async function run(operation: Operation, fault: Fault): Promise<void> {
  const target = await operation.prepare()
  const clockBefore = gateway.clock.offset()
  try {
    const messagesBefore = await target.messages()
    const reachedBefore = await upstreamRequests(operation.path)
    await gateway.sim('POST', '/__sim/faults', { path: operation.path, ...fault.spec, times: 1 })
    const key = randomUUID()
    const firstCall = target.send(key)
    await eventually(
      () => upstreamRequests(operation.path),
      (count) => count > reachedBefore,
    )
    // While Privy holds (or has just garbled) its answer: 5 keyed retries and 2 new requests at once.
    const storm = await Promise.all([
      ...Array.from({ length: 5 }, () => target.send(key)),
      target.send(undefined),
      target.send(undefined),
    ])
    const first = await firstCall
    const after = await Promise.all([target.send(key), target.send(undefined)])
    const otpId = (first.status < 300 ? first.data?.id : first.error?.otp_id) as string
    expect(otpId, first.text).toEqual(expect.any(String))

    // The first answer: the OTP itself when the answer was readable enough, else "not known yet"
    // naming it and what to do.
    const garbled = fault.spec.kind !== 'commit_then_timeout'
    if (garbled && (fault.idKnown || operation.kind === 'resend')) {
      expect(first.status, first.text).toBeLessThan(300)
    } else {
      expect(first.status, first.text).toBe(garbled ? 502 : 504)
      expect(first.error?.next_action).toBe(garbled && operation.kind === 'request' ? 'wait' : 'validate_otp')
    }
    for (const answer of [...storm, ...after]) expectAbout(answer, otpId)

    // Settled: known and usable, or (no transaction id) pending until its code would have expired.
    const usable = fault.idKnown || operation.kind === 'resend'
    const settled = await eventually(
      () => target.send(key),
      (answer) => (usable ? answer.status < 300 : answer.error?.next_action === 'wait'),
      { timeoutMs: LATE_ANSWER_MS + 6_000 },
    )
    expectAbout(settled, otpId)
    expect(await upstreamRequests(operation.path), 'requests that reached Privy').toBe(reachedBefore + 1)
    expect(await target.messages(), 'messages Privy sent').toBe(messagesBefore + 1)

    if (usable) {
      expect(settled.status, settled.text).toBeLessThan(300)
      const replay = await target.send(key)
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
      expect(replay.text).toBe(settled.text)
      await expectValidates(target, otpId)
      return
    }
    // No id: nothing can check the code, and nothing sends another until it would have expired.
    const unkeyed = await target.send(undefined)
    expect(unkeyed.error).toMatchObject({ code: 'OPERATION_PENDING', otp_id: otpId, next_action: 'wait' })
    // A code typed meanwhile cannot be checked (no transaction id): told to wait, nothing spent.
    const typed = await (await clientFor(gateway, { token: target.token })).raw.POST(
      '/v1/otp/{id}/validate',
      {
        params: { path: { id: otpId } },
        body: { otp_code: '123456' },
      },
    )
    expect(typed.error).toMatchObject({ code: 'OPERATION_PENDING', otp_id: otpId, next_action: 'wait' })
    const voidAt = Date.parse(String(settled.error?.retry_at))
    expect(voidAt - gatewayNow()).toBeGreaterThan(14 * 60_000)
    expect(Number(settled.headers.get('retry-after'))).toBeGreaterThan(14 * 60)
    expect(await target.messages()).toBe(messagesBefore + 1)
    // Past it, the reconciler frees the row, and one new request sends exactly one new SMS.
    gateway.clock.advance(voidAt - gatewayNow() + 1_000)
    const row = () => gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: otpId } })
    expect((await eventually(row, (record) => record.submission === 'failed')).submission).toBe('failed')
    const fresh = await target.send(undefined, setup)
    expect(fresh.status, fresh.text).toBe(201)
    expect(fresh.data?.id).not.toBe(otpId)
    expect(await target.messages()).toBe(messagesBefore + 2)
    gateway.clock.advance(clockBefore - gateway.clock.offset())
    await expectValidates(target, fresh.data?.id ?? '')
  } finally {
    await gateway.sim('DELETE', '/__sim/faults')
    gateway.clock.advance(-gateway.clock.offset())
    setup.clock.advance(-setup.clock.offset())
  }
}

async function expectValidates(target: Target, otpId: string): Promise<void> {
  // One clock for both instances: the times the storm gateway wrote are read by this one.
  setup.clock.advance(gateway.clock.offset() - setup.clock.offset())
  const client = await clientFor(setup, { token: target.token })
  const validated = await client.otp.validate(otpId, await target.code(otpId)).withResponse()
  expect(validated.response.status).toBe(200)
  expect(validated.data.status).toBe('validated')
}

describe.each(OPERATIONS)(
  '$name: one SMS per user action when the answer is lost or garbled',
  (operation) => {
    it.each(FAULTS)(`$name (${RUNS} runs)`, async (fault) => {
      for (let index = 0; index < RUNS; index++) await run(operation, fault)
    })
  },
)
