import { randomUUID } from 'node:crypto'
import type { GatewayClient, Problem } from '@privy-gateway/client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getDocument, getRegistration, register, requestOtp, uploadRaw } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import {
  a4Pdf,
  documentFor,
  type SignerUser,
  signatureAt,
  uploadBody,
  verifiedUser,
} from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'
import { registerTokenOf } from '../helpers/privy-tokens.js'

/**
 * "Commit then time out" on every POST that reaches Privy: Privy does the work and answers after the
 * gateway's deadline. The client retries 5 times at once with its Idempotency-Key and twice with new
 * keys. Exactly one side effect may reach Privy (counted at the simulator by its successful answers),
 * every operation must end settled, and every answer the client saw must agree with that end.
 */

const PRIVY_TIMEOUT_MS = 600
const COMMIT_DELAY_MS = 1500

let user: GatewayClient

const gateway = useGateway({
  PRIVY_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
  PRIVY_UPLOAD_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
  PRIVY_LATE_ANSWER_MS: '20000',
})
beforeAll(async () => {
  user = await clientFor(gateway, 'fault-suite-user')
})
afterEach(async () => {
  await gateway.sim('DELETE', '/__sim/faults')
})

/** What the storm reads of an answer (`answered`): status, headers, exact text, typed body or problem. */
interface Answer<T> {
  status: number
  headers: Headers
  text: string
  data?: T
  error?: Problem
}

interface Storm<T> {
  first: Answer<T>
  keyed: Answer<T>[]
  fresh: Answer<T>[]
  settled: Answer<T>
}

const keyed = (key: string) => ({ 'idempotency-key': key })

/**
 * The first call meets the fault; while Privy still holds its answer the client retries 5 times with
 * the same key (at once) and twice with new keys; then it retries with its key until it gets a final
 * answer, which a further retry must replay byte for byte.
 */
async function storm<T>(path: string, send: (key: string) => Promise<Answer<T>>): Promise<Storm<T>> {
  await gateway.sim('POST', '/__sim/faults', {
    path,
    kind: 'commit_then_timeout',
    delay_ms: COMMIT_DELAY_MS,
    times: 1,
  })
  const key = randomUUID()
  const reached = await upstreamRequests(path)
  const firstCall = send(key)
  // Retries while the first request is waiting for Privy (it has reached it), and once it gave up.
  await eventually(
    () => upstreamRequests(path),
    (count) => count > reached,
  )
  const early = send(key)
  const first = await firstCall
  const keyed = [await early, ...(await Promise.all(Array.from({ length: 4 }, () => send(key))))]
  const fresh = await Promise.all([send(randomUUID()), send(randomUUID())])
  const settled = await eventually(
    () => send(key),
    (response) => response.status < 300,
    { timeoutMs: COMMIT_DELAY_MS * 6 },
  )
  expect(settled.status, settled.text).toBeLessThan(300)
  const replay = await send(key)
  expect(replay.status).toBe(settled.status)
  expect(replay.headers.get('idempotent-replayed')).toBe('true')
  expect(replay.text).toBe(settled.text)
  return { first, keyed, fresh, settled }
}

async function upstreamRequests(path: string): Promise<number> {
  const listed = await gateway.sim('GET', `/__sim/requests/count?path=${encodeURIComponent(path)}`)
  return listed.json.count
}

/**
 * Successful answers of the simulator on `path`: the side effects that reached Privy. Read once
 * every request on the path has been answered (a late answer is logged when it is sent).
 */
async function sideEffects(path: string): Promise<number> {
  const read = async () =>
    (await gateway.sim('GET', `/__sim/requests?path=${encodeURIComponent(path)}`)).json.requests as Array<{
      status: number | null
    }>
  const requests = await eventually(read, (entries) => entries.every((entry) => entry.status !== null), {
    timeoutMs: 10_000,
  })
  return requests.filter((entry) => entry.status !== null && entry.status < 300).length
}

/** Every answer of the storm names the one resource and says something true about it. */
function expectConsistent<T extends { id: string }>(
  result: Storm<T>,
  idField: string,
  id: string,
  allowed: Record<string, number>,
) {
  // The first answer is "not known yet" naming the resource, or, when the gateway could already tell
  // from Privy's status that it had acted, the success itself.
  if (result.first.status < 300) expect(result.first.data?.id).toBe(id)
  else {
    expect(result.first.status, result.first.text).toBe(504)
    expect(result.first.error?.[idField]).toBe(id)
  }
  for (const response of [...result.keyed, ...result.fresh]) {
    if (response.status < 300) {
      expect(response.data?.id).toBe(id)
      continue
    }
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    const code = response.error?.code ?? ''
    expect(Object.keys(allowed), response.text).toContain(code)
    expect(response.status).toBe(allowed[code])
    if (response.error?.[idField] !== undefined) expect(response.error[idField]).toBe(id)
  }
  expect(result.settled.data?.id).toBe(id)
}

/** A NIK and the date of birth it encodes. */
const person = (dob: string) => ({ nik: nikFor(dob), dob })

const KEYED_WAIT = { IDEMPOTENCY_KEY_IN_USE: 409, OPERATION_PENDING: 409 }

async function waitingOtpRegistration(sub: string) {
  const token = await gateway.userToken(sub)
  const registration = await register(
    gateway,
    { token },
    { email: `${sub}@example.co.id`, ...person('1991-02-03') },
  )
  expect(registration.status).toBe('waiting_otp')
  return { token, registration, client: await clientFor(gateway, { token }) }
}

describe('commit then time out, with keyed and unkeyed retries: one side effect, all settled', () => {
  it('POST /v1/registrations', async () => {
    const path = '/web/api/v2/register'
    const before = await sideEffects(path)
    const body = await fullRegistrationJson({
      email: 'storm.register@example.co.id',
      ...person('1988-08-08'),
    })
    const result = await storm(path, (key) =>
      user.raw.POST('/v1/registrations', { body, headers: keyed(key) }).then(answered),
    )
    const id = result.settled.data?.id ?? ''
    expect(result.settled.status).toBe(201)
    expect(result.settled.data?.status).toBe('waiting_otp')
    expectConsistent(result, 'registration_id', id, { ...KEYED_WAIT, REGISTRATION_EXISTS: 409 })
    expect(result.fresh.map((response) => response.error?.code)).toEqual([
      'REGISTRATION_EXISTS',
      'REGISTRATION_EXISTS',
    ])
    expect(await sideEffects(path)).toBe(before + 1)
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(row.submission).toBe('submitted')
    expect(await registerTokenOf(gateway, id)).not.toBeNull()
    const rows = await gateway.database.prisma.registration.count({ where: { emailMasked: row.emailMasked } })
    expect(rows).toBe(1)
  })

  it('POST /v1/registrations/{id}/resend', async () => {
    const path = '/web/api/v2/register/resend'
    const client = await clientFor(gateway, 'storm-resend')
    const created = await register(gateway, 'storm-resend', {
      email: 'storm.resend@example.co.id',
      ...person('1979-03-04'),
      phone_verified: true,
    })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {
      outcome: { reject: 'RC01' },
    })
    const rejected = await getRegistration(gateway, 'storm-resend', created.id, { refresh: true })
    expect(rejected.can_resend).toBe(true)
    const before = await sideEffects(path)
    const { selfie } = await fullRegistrationJson()
    const result = await storm(path, (key) =>
      client.raw
        .POST('/v1/registrations/{id}/resend', {
          params: { path: { id: created.id } },
          body: { selfie },
          headers: keyed(key),
        })
        .then(answered),
    )
    expect(result.settled.status).toBe(200)
    expect(result.settled.data?.status).toBe('waiting_verification')
    expectConsistent(result, 'registration_id', created.id, {
      ...KEYED_WAIT,
      REGISTRATION_NOT_RESENDABLE: 409,
    })
    expect(await sideEffects(path)).toBe(before + 1)
  })

  it('POST /v1/otp', async () => {
    const path = '/web/api/v2/register/otp'
    const { client, registration } = await waitingOtpRegistration('storm-otp')
    const before = await sideEffects(path)
    const body = { otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id } as const
    const result = await storm(path, (key) =>
      client.raw.POST('/v1/otp', { body, headers: keyed(key) }).then(answered),
    )
    const otpId = result.settled.data?.id ?? ''
    expect(result.settled.status).toBe(201)
    expectConsistent(result, 'otp_id', otpId, { ...KEYED_WAIT, OTP_ALREADY_SENT: 409 })
    const messages = await gateway.sim(
      'GET',
      `/__sim/messages?reference_number=${registration.reference_number}`,
    )
    expect(messages.json.messages).toHaveLength(1)
    expect(await sideEffects(path)).toBe(before + 1)
    const row = await gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: otpId } })
    expect(row.submission).toBe('submitted')
    expect(row.upstreamTransactionId).not.toBeNull()
  })

  it('POST /v1/otp/{id}/resend', async () => {
    const path = '/web/api/v2/register/otp-resend'
    const { token, registration, client } = await waitingOtpRegistration('storm-otp-resend')
    const otp = await requestOtp(gateway, { token }, registration.id)
    const row = await gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: otp.id } })
    await gateway.sim('POST', `/__sim/otps/${row.upstreamTransactionId}/allow-resend`)
    gateway.clock.advance(61_000)
    const before = await sideEffects(path)
    const result = await storm(path, (key) =>
      client.raw
        .POST('/v1/otp/{id}/resend', { params: { path: { id: otp.id } }, headers: keyed(key) })
        .then(answered),
    )
    expect(result.settled.status).toBe(200)
    expectConsistent(result, 'otp_id', otp.id, { ...KEYED_WAIT, OTP_RESEND_TOO_EARLY: 429 })
    const messages = await gateway.sim(
      'GET',
      `/__sim/messages?reference_number=${registration.reference_number}`,
    )
    expect(messages.json.messages).toHaveLength(2)
    expect(await sideEffects(path)).toBe(before + 1)
    expect(result.settled.data?.requests_left).toBe(1)
  })

  it('POST /v1/otp/{id}/validate', async () => {
    const path = '/web/api/v2/register/otp-validation'
    const { token, registration, client } = await waitingOtpRegistration('storm-otp-validate')
    const otp = await requestOtp(gateway, { token }, registration.id)
    const codes = await gateway.sim('GET', `/__sim/otps?reference_number=${registration.reference_number}`)
    const code = (codes.json.otps ?? codes.json).at(-1).code
    const before = await sideEffects(path)
    const result = await storm(path, (key) =>
      client.raw
        .POST('/v1/otp/{id}/validate', {
          params: { path: { id: otp.id } },
          body: { otp_code: code },
          headers: keyed(key),
        })
        .then(answered),
    )
    expect(result.settled.status).toBe(200)
    expect(result.settled.data?.status).toBe('validated')
    expectConsistent(result, 'otp_id', otp.id, { ...KEYED_WAIT, OTP_ALREADY_SENT: 409 })
    expect(await sideEffects(path)).toBe(before + 1)
    const after = await getRegistration(gateway, { token }, registration.id)
    expect(after.status).toBe('waiting_verification')
  })

  describe('documents', () => {
    let signer: SignerUser
    let client: GatewayClient
    beforeAll(async () => {
      signer = await verifiedUser(gateway, 'storm-signer')
      client = await clientFor(gateway, { token: signer.token })
    })

    it('POST /v1/documents', async () => {
      const path = '/web/api/v2/doc-signing'
      const pdf = await a4Pdf()
      const metadata = {
        title: 'Storm agreement',
        sign_process: 'parallel',
        signers: [
          { registration_id: signer.registrationId, role: 'signer', placements: [signatureAt(1, 50, 50)] },
        ],
      }
      const before = await sideEffects(path)
      const result = await storm(path, (key) => uploadRaw(client, uploadBody(pdf, metadata), keyed(key)))
      const id = result.settled.data?.id ?? ''
      expect(result.settled.status).toBe(201)
      expectConsistent(result, 'document_id', id, { ...KEYED_WAIT, DOCUMENT_EXISTS: 409 })
      expect(await sideEffects(path)).toBe(before + 1)
      const rows = await gateway.database.prisma.document.findMany({ where: { title: 'Storm agreement' } })
      expect(rows.map((row) => row.submission)).toEqual(['submitted'])
    })

    it('POST /v1/otp (document signing) and POST /v1/otp/{id}/validate', async () => {
      const uploaded = await documentFor(gateway, signer, 'Storm signing', signatureAt(1, 80, 80))
      const requestPath = '/web/api/v2/doc-signing/otp/request'
      const before = await sideEffects(requestPath)
      const requested = await storm(requestPath, (key) =>
        client.raw
          .POST('/v1/otp', {
            body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [uploaded.id] },
            headers: keyed(key),
          })
          .then(answered),
      )
      const otpId = requested.settled.data?.id ?? ''
      expectConsistent(requested, 'otp_id', otpId, { ...KEYED_WAIT, OTP_ALREADY_SENT: 409 })
      expect(await sideEffects(requestPath)).toBe(before + 1)

      const validatePath = '/web/api/v2/doc-signing/otp/validation'
      const codes = await gateway.sim('GET', `/__sim/otps?signer_privy_id=${signer.privyId}`)
      const code = (codes.json.otps ?? codes.json).at(-1).code
      const validatedBefore = await sideEffects(validatePath)
      const validated = await storm(validatePath, (key) =>
        client.raw
          .POST('/v1/otp/{id}/validate', {
            params: { path: { id: otpId } },
            body: { otp_code: code },
            headers: keyed(key),
          })
          .then(answered),
      )
      expect(validated.settled.data?.status).toBe('validated')
      expectConsistent(validated, 'otp_id', otpId, { ...KEYED_WAIT, OTP_ALREADY_SENT: 409 })
      expect(await sideEffects(validatePath)).toBe(validatedBefore + 1)
      const document = await getDocument(gateway, { token: signer.token }, uploaded.id, {
        refresh: true,
      })
      expect(document.signers[0]?.status).toBe('signed')
    })

    it('POST /v1/documents/{id}/revoke', async () => {
      const path = '/web/api/v2/doc-signing/delete'
      const uploaded = await documentFor(gateway, signer, 'Storm revoke', signatureAt(2, 60, 60), 2)
      const before = await sideEffects(path)
      const result = await storm(path, (key) =>
        client.raw
          .POST('/v1/documents/{id}/revoke', { params: { path: { id: uploaded.id } }, headers: keyed(key) })
          .then(answered),
      )
      expect(result.settled.status).toBe(200)
      expect(result.settled.data?.status).toBe('revoked')
      expectConsistent(result, 'document_id', uploaded.id, {
        ...KEYED_WAIT,
        DOCUMENT_NOT_REVOCABLE: 409,
      })
      expect(await sideEffects(path)).toBe(before + 1)
    })
  })
})
