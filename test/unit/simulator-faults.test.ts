import { isDeepStrictEqual } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import {
  requestSigningOtpFor,
  simDocument,
  uploadBody,
  uploadWith,
  verifiedSigner,
} from '../../src/simulator/testing/documents.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'
import { eventually, registerWith, requestOtpFor, simOtp } from '../../src/simulator/testing/flows.js'
import { A4, makePdf } from '../../src/simulator/testing/pdfs.js'

// Contract §7 fault injection, observed from a real client socket.

const REGISTER = '/web/api/v2/register'
const TOKEN = '/oauth2/api/v1/token'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

beforeEach(async () => {
  await client.sim('DELETE', '/__sim/faults')
  await client.token()
})

const addFault = async (fault: Record<string, unknown>) => {
  const response = await client.sim('POST', '/__sim/faults', fault)
  expect(response.status).toBe(201)
  return response
}

const upstreamCopy = (reference: unknown) => client.sim('GET', `/__sim/registrations/${String(reference)}`)

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
}

describe('kind status', () => {
  it('answers the status in the contract shape without doing the work, once', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 503 })
    const body = registerBody('privy_ra')
    const faulted = await client.signedPost(REGISTER, body)
    expect(faulted.status).toBe(503)
    expect(faulted.json).toMatchObject({ error: { code: 503, errors: [expect.any(String)] } })
    expect((await upstreamCopy(body.reference_number)).status).toBe(404)
    expect((await client.signedPost(REGISTER, body)).status).toBe(201)
  })

  it('carries the data it is given next to the error, as a §4 refusal does', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 429, data: { retry_after: 300 } })
    const faulted = await client.signedPost(REGISTER, registerBody('privy_ra'))
    expect(faulted.status).toBe(429)
    expect(faulted.json).toMatchObject({ error: { code: 429 }, data: { retry_after: 300 } })
  })

  it('applies to the token endpoint too', async () => {
    await addFault({ path: TOKEN, kind: 'status', status: 500 })
    expect((await client.requestToken()).status).toBe(500)
    expect((await client.requestToken()).status).toBe(201)
  })

  it('lasts `times` calls, or until cleared when sticky', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 429, times: 2 })
    const statuses = []
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await client.signedPost(REGISTER, registerBody('landing_page'))).status)
    }
    expect(statuses).toEqual([429, 429, 201])

    await addFault({ path: REGISTER, kind: 'status', status: 500, sticky: true })
    for (let index = 0; index < 3; index += 1) {
      expect((await client.signedPost(REGISTER, registerBody('landing_page'))).status).toBe(500)
    }
    const listed = await client.sim('GET', '/__sim/faults')
    expect(listed.json).toMatchObject({ faults: [{ path: REGISTER, kind: 'status', sticky: true }] })
    expect((await client.sim('DELETE', '/__sim/faults')).json).toEqual({ cleared: 1 })
    expect((await client.signedPost(REGISTER, registerBody('landing_page'))).status).toBe(201)
  })

  it('applies queued faults on one path in order', async () => {
    await addFault({ path: REGISTER, kind: 'status', status: 503 })
    await addFault({ path: REGISTER, kind: 'status', status: 409 })
    const first = await client.signedPost(REGISTER, registerBody('landing_page'))
    const second = await client.signedPost(REGISTER, registerBody('landing_page'))
    expect([first.status, second.status]).toEqual([503, 409])
  })
})

describe('kind malformed_json', () => {
  it('does the work, then answers 201 with a body that does not parse', async () => {
    await addFault({ path: REGISTER, kind: 'malformed_json' })
    const body = registerBody('privy_ra')
    const response = await client.signedPost(REGISTER, body)
    expect(response.status).toBe(201)
    expect(response.headers['content-type']).toMatch(/application\/json/)
    expect(() => JSON.parse(response.text)).toThrow()
    expect((await upstreamCopy(body.reference_number)).status).toBe(200)
  })
})

describe('kind malformed_data', () => {
  it('does the work, then answers 201 with JSON whose data keeps only its identifiers', async () => {
    await addFault({ path: REGISTER, kind: 'malformed_data' })
    const body = registerBody('privy_ra')
    const response = await client.signedPost(REGISTER, body)
    expect(response.status).toBe(201)
    const copy = await upstreamCopy(body.reference_number)
    expect(copy.status).toBe(200)
    // Parses, names what was created, and lacks what the contract requires (status, channel_id).
    expect(response.json).toEqual({
      message: expect.any(String),
      data: { reference_number: body.reference_number, register_token: expect.any(String) },
    })
    const next = await client.signedPost(REGISTER, registerBody('privy_ra'))
    expect(next.json).toMatchObject({ data: { status: 'waiting_otp', channel_id: expect.any(String) } })
  })

  it('keeps only the members named in `keep`, none with an empty list', async () => {
    await addFault({ path: REGISTER, kind: 'malformed_data', keep: [] })
    const response = await client.signedPost(REGISTER, registerBody('privy_ra'))
    expect(response.status).toBe(201)
    expect(response.json).toEqual({ message: expect.any(String), data: {} })
    const refused = await client.sim('POST', '/__sim/faults', { path: REGISTER, kind: 'delay', keep: [] })
    expect(refused.status).toBe(422)
    expect(refused.text).toContain('keep')
  })
})

describe('kind drop', () => {
  it('closes the connection without an answer and without doing the work', async () => {
    await addFault({ path: REGISTER, kind: 'drop' })
    const body = registerBody('privy_ra')
    const failure = await client.signedPost(REGISTER, body).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']).toContain(errorCode(failure))
    expect((await upstreamCopy(body.reference_number)).status).toBe(404)
    const log = await client.sim('GET', `/__sim/requests?path=${REGISTER}`)
    const entries = (log.json as { requests: Array<{ status: unknown; fault: unknown }> }).requests
    expect(entries.at(-1)).toMatchObject({ status: null, fault: 'drop' })
  })
})

describe('kind delay', () => {
  it('waits delay_ms, then handles the call normally', async () => {
    await addFault({ path: REGISTER, kind: 'delay', delay_ms: 300 })
    const started = performance.now()
    const response = await client.signedPost(REGISTER, registerBody('landing_page'))
    expect(response.status).toBe(201)
    expect(performance.now() - started).toBeGreaterThanOrEqual(280)
  })
})

describe('kind commit_then_timeout', () => {
  it('does the work while the client gives up waiting', async () => {
    await addFault({ path: REGISTER, kind: 'commit_then_timeout', delay_ms: 10_000 })
    const body = registerBody('privy_ra')
    const failure = await client.signedPost(REGISTER, body, { signal: AbortSignal.timeout(300) }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    const copy = await upstreamCopy(body.reference_number)
    expect(copy.status).toBe(200)
    expect(copy.json).toMatchObject({ status: 'waiting_otp' })
  })

  it('defaults delay_ms to 30 s, and close() does not wait for it', async () => {
    const own = await startSimulator()
    const ownClient = new SimulatorClient(own.url)
    const response = await ownClient.sim('POST', '/__sim/faults', {
      path: REGISTER,
      kind: 'commit_then_timeout',
    })
    expect(response.json).toMatchObject({ fault: { delay_ms: 30_000 } })
    await ownClient.token()
    const pending = ownClient
      .signedPost(REGISTER, registerBody('landing_page'))
      .catch((error: unknown) => error)
    await expect.poll(() => own.state.registrations.size).toBe(1)
    const started = performance.now()
    await own.close()
    // Closing does not wait out the fault's 30 s delay (half of it is a bound no machine misses).
    expect(performance.now() - started).toBeLessThan(15_000)
    expect(await pending).toBeInstanceOf(Error)
  })
})

describe('fault definitions', () => {
  it.each([
    ['status without a status', { path: REGISTER, kind: 'status' }, 'status'],
    ['a status below 400', { path: REGISTER, kind: 'status', status: 302 }, 'status'],
    ['delay without delay_ms', { path: REGISTER, kind: 'delay' }, 'delay_ms'],
    ['delay_ms on a drop', { path: REGISTER, kind: 'drop', delay_ms: 5 }, 'delay_ms'],
    ['an unknown kind', { path: REGISTER, kind: 'explode' }, 'kind'],
    ['a path without a slash', { path: 'web/api/v2/register', kind: 'drop' }, 'path'],
    ['the /__sim surface', { path: '/__sim/reset', kind: 'drop' }, 'path'],
    ['sticky with times', { path: REGISTER, kind: 'drop', sticky: true, times: 2 }, 'times'],
    ['data on a drop', { path: REGISTER, kind: 'drop', data: { retry_after: 1 } }, 'data'],
  ])('refuses %s with 422', async (_label, fault, field) => {
    const response = await client.sim('POST', '/__sim/faults', fault)
    expect(response.status).toBe(422)
    expect(response.text).toContain(`"field":"${field}"`)
  })

  it('treats times: 0 as sticky', async () => {
    const response = await addFault({ path: REGISTER, kind: 'drop', times: 0 })
    expect(response.json).toMatchObject({ fault: { sticky: true, remaining: null } })
  })
})

/**
 * Contract §7 asks for a 5xx, a delay, a dropped connection and "commit then time out" per path. The
 * fault hooks are global, so every path is faultable; these tests check it for each POST the gateway
 * sends, and that the faults before the work (5xx, drop) leave the state alone while those after it
 * (delay, commit_then_timeout) let the work happen.
 */

interface Prepared {
  body: Record<string, unknown>
  /** A view of the state the call changes; it differs from its first value once the work was done. */
  probe: () => Promise<unknown>
}

const otpView = async (transactionId: string) => {
  const { status, sends } = await simOtp(client, transactionId)
  return { status, sends }
}
const otpCount = async (query: string) =>
  ((await client.sim('GET', `/__sim/otps?${query}`)).json as { otps: unknown[] }).otps.length
const documentState = async (reference: string) =>
  (await client.sim('GET', `/__sim/documents/${reference}`)).status === 200
    ? (await simDocument(client, reference)).status
    : 'absent'
const registrationState = async (reference: string) => {
  const response = await upstreamCopy(reference)
  return response.status === 200 ? (response.json as { status: unknown }).status : 'absent'
}

let pdf: Uint8Array | undefined
async function uploadedDocument() {
  pdf ??= await makePdf({ pages: [A4] })
  const signer = await verifiedSigner(client)
  const { ref } = await uploadWith(client, uploadBody({ pdf, recipients: [{ privy_id: signer.privy_id }] }))
  return { signer, ref }
}

async function signingOtp() {
  const { signer, ref } = await uploadedDocument()
  return requestSigningOtpFor(client, signer.privy_id, [ref.document_token])
}

async function registrationOtp() {
  const ref = await registerWith(client, registerBody('privy_ra'))
  return requestOtpFor(client, ref)
}

const SIDE_EFFECT_PATHS: Array<[path: string, prepare: () => Promise<Prepared>]> = [
  [
    REGISTER,
    async () => {
      const body = registerBody('privy_ra')
      return { body, probe: () => registrationState(String(body.reference_number)) }
    },
  ],
  [
    '/web/api/v2/register/resend',
    async () => {
      const ref = await registerWith(client, registerBody('privy_ra', { phone_verified: true }))
      const rejected = await client.sim('POST', `/__sim/registrations/${ref.reference_number}/verify`, {
        outcome: { reject: 'RC01' },
      })
      expect(rejected.json).toMatchObject({ status: 'rejected', resend: true })
      return {
        body: { ...ref, nik: '3174012345678911' },
        probe: () => registrationState(ref.reference_number),
      }
    },
  ],
  [
    '/web/api/v2/register/otp',
    async () => {
      const ref = await registerWith(client, registerBody('privy_ra'))
      return {
        body: { ...ref, otp_channel: 'sms' },
        probe: () => otpCount(`reference_number=${ref.reference_number}`),
      }
    },
  ],
  [
    '/web/api/v2/register/otp-validation',
    async () => {
      const transactionId = await registrationOtp()
      const { code } = await simOtp(client, transactionId)
      return { body: { transaction_id: transactionId, otp_code: code }, probe: () => otpView(transactionId) }
    },
  ],
  [
    '/web/api/v2/register/otp-resend',
    async () => {
      const transactionId = await registrationOtp()
      await client.sim('POST', `/__sim/otps/${transactionId}/allow-resend`)
      return { body: { transaction_id: transactionId }, probe: () => otpView(transactionId) }
    },
  ],
  [
    '/web/api/v2/doc-signing',
    async () => {
      pdf ??= await makePdf({ pages: [A4] })
      const signer = await verifiedSigner(client)
      const body = uploadBody({ pdf, recipients: [{ privy_id: signer.privy_id }] })
      return { body, probe: () => documentState(String(body.reference_number)) }
    },
  ],
  [
    '/web/api/v2/doc-signing/otp/request',
    async () => {
      const { signer, ref } = await uploadedDocument()
      return {
        body: {
          channel_id: DEV_CREDENTIALS.channelId,
          signer_privy_id: signer.privy_id,
          document_tokens: [ref.document_token],
          otp_channel: 'sms',
        },
        probe: () => otpCount(`signer_privy_id=${signer.privy_id}`),
      }
    },
  ],
  [
    '/web/api/v2/doc-signing/otp/validation',
    async () => {
      const transactionId = await signingOtp()
      const { code } = await simOtp(client, transactionId)
      return { body: { transaction_id: transactionId, otp_code: code }, probe: () => otpView(transactionId) }
    },
  ],
  [
    '/web/api/v2/doc-signing/otp/resend',
    async () => {
      const transactionId = await signingOtp()
      await client.sim('POST', `/__sim/otps/${transactionId}/allow-resend`)
      return { body: { transaction_id: transactionId }, probe: () => otpView(transactionId) }
    },
  ],
  [
    '/web/api/v2/doc-signing/delete',
    async () => {
      const { ref } = await uploadedDocument()
      return { body: ref, probe: () => documentState(ref.reference_number) }
    },
  ],
]

/** The reads the gateway sends as POSTs too: no work to see, but the faults must apply to them. */
const READ_PATHS = [
  '/web/api/v2/register/status',
  '/web/api/v2/doc-signing/status',
  '/web/api/v2/doc-signing/history',
]

const lastLogged = async (path: string) => {
  const log = await client.sim('GET', `/__sim/requests?path=${path}`)
  return (log.json as { requests: Array<{ status: unknown; fault: unknown }> }).requests.at(-1)
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe.each(SIDE_EFFECT_PATHS)('every §7 fault on %s', (path, prepare) => {
  it('a 5xx answers in the contract shape without doing the work', async () => {
    const { body, probe } = await prepare()
    const before = await probe()
    await addFault({ path, kind: 'status', status: 503 })
    const response = await client.signedPost(path, body)
    expect(response.status).toBe(503)
    expect(response.json).toMatchObject({ error: { code: 503 } })
    expect(await probe()).toEqual(before)
    expect(await lastLogged(path)).toMatchObject({ status: 503, fault: 'status' })
  })

  it('a dropped connection answers nothing and does not do the work', async () => {
    const { body, probe } = await prepare()
    const before = await probe()
    await addFault({ path, kind: 'drop' })
    const error = await failureOf(client.signedPost(path, body))
    expect(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']).toContain(errorCode(error))
    expect(await probe()).toEqual(before)
    expect(await lastLogged(path)).toMatchObject({ status: null, fault: 'drop' })
  })

  it('a delay holds the call, which then does the work and answers 201', async () => {
    const { body, probe } = await prepare()
    const before = await probe()
    await addFault({ path, kind: 'delay', delay_ms: 50 })
    const response = await client.signedPost(path, body)
    expect(response.status).toBe(201)
    expect(await probe()).not.toEqual(before)
    expect(await lastLogged(path)).toMatchObject({ status: 201, fault: 'delay' })
  })

  it('commit_then_timeout does the work while the client gives up waiting', async () => {
    const { body, probe } = await prepare()
    const before = await probe()
    await addFault({ path, kind: 'commit_then_timeout', delay_ms: 10_000 })
    const error = await failureOf(client.signedPost(path, body, { signal: AbortSignal.timeout(300) }))
    expect(error).toBeInstanceOf(Error)
    const after = await eventually(probe, (value) => !isDeepStrictEqual(value, before))
    expect(after).not.toEqual(before)
    expect(await lastLogged(path)).toMatchObject({ fault: 'commit_then_timeout' })
  })
})

describe.each(READ_PATHS)('every §7 fault on the read %s', (path) => {
  const ref = { reference_number: 'REF-NONE', channel_id: DEV_CREDENTIALS.channelId, document_token: 'none' }

  it('applies a 5xx, a drop, a delay and commit_then_timeout', async () => {
    await addFault({ path, kind: 'status', status: 502 })
    expect((await client.signedPost(path, ref)).status).toBe(502)

    await addFault({ path, kind: 'drop' })
    expect(errorCode(await failureOf(client.signedPost(path, ref)))).toBeDefined()
    expect(await lastLogged(path)).toMatchObject({ status: null, fault: 'drop' })

    const normal = (await client.signedPost(path, ref)).status
    await addFault({ path, kind: 'delay', delay_ms: 50 })
    expect((await client.signedPost(path, ref)).status).toBe(normal)
    expect(await lastLogged(path)).toMatchObject({ status: normal, fault: 'delay' })

    await addFault({ path, kind: 'commit_then_timeout', delay_ms: 10_000 })
    const error = await failureOf(client.signedPost(path, ref, { signal: AbortSignal.timeout(300) }))
    expect(error).toBeInstanceOf(Error)
    expect(await lastLogged(path)).toMatchObject({ fault: 'commit_then_timeout' })
  })
})
