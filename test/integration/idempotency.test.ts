import { randomUUID } from 'node:crypto'
import type { GatewayClient, RegistrationRequest } from '@privy-gateway/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getRegistration, landingPageBody, register, requestOtp } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import {
  a4Pdf,
  type SignerUser,
  signatureAt,
  uploadBody,
  upstreamCount,
  verifiedUser,
} from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, type TestGateway, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor, photo } from '../helpers/identity.js'
import { registerTokenOf } from '../helpers/privy-tokens.js'

let client: GatewayClient

const gateway = useGateway()
beforeAll(async () => {
  client = await clientFor(gateway, 'idempotency-user')
})

const REGISTER_PATH = '/web/api/v2/register'

const withKey = (key: string) => ({ 'idempotency-key': key })

/** `POST /v1/registrations` as `caller` (with `key` when given), answered as is, with its exact text. */
async function createAs(caller: GatewayClient, body: RegistrationRequest, key?: string) {
  const answer = await caller.raw.POST('/v1/registrations', {
    body,
    headers: key === undefined ? {} : withKey(key),
  })
  return answered(answer)
}

const create = (body: RegistrationRequest, key?: string) => createAs(client, body, key)

/** `POST /v1/documents` of a form as is (`uploadBody`), answered as is. */
async function uploadAs(caller: GatewayClient, form: FormData, key?: string) {
  const headers = key === undefined ? {} : withKey(key)
  // The client's own upload helper always sends a key; these tests choose theirs.
  return answered(await caller.raw.POST('/v1/documents', { body: form as never, headers }))
}

describe('Idempotency-Key', () => {
  it('replays the first answer byte for byte, marked, without calling Privy again', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const first = await create(body, key)
    expect(first.status, first.text).toBe(201)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const again = await create(body, key)
    expect(again.status).toBe(201)
    expect(again.text).toBe(first.text)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'))
    expect(again.headers.get('location')).toBe(first.headers.get('location'))
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before + 1)
  })

  it('the same key with a different body is 422, and changes nothing', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    const first = await create(body, key)
    expect(first.status).toBe(201)
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const other = await create(landingPageBody(), key)
    expect(other.status).toBe(422)
    expect(other.headers.get('content-type')).toContain('application/problem+json')
    expect(other.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before)
    // The original answer is still the one kept.
    const replay = await create(body, key)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.text).toBe(first.text)
  })

  it('key order in the JSON does not make a different request', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    const first = await create(body, key)
    const reordered = Object.fromEntries(Object.entries(body).reverse()) as typeof body
    const again = await create(reordered, key)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.text).toBe(first.text)
  })

  it('concurrent requests with one key make exactly one upstream call; the others wait their turn', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    await gateway.sim('POST', '/__sim/faults', {
      path: REGISTER_PATH,
      kind: 'delay',
      delay_ms: 400,
      times: 1,
    })
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const answers = await Promise.all(Array.from({ length: 8 }, () => create(body, key)))
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before + 1)
    const created = answers.filter((answer) => answer.status === 201)
    const busy = answers.filter((answer) => answer.status === 409)
    expect(created.length + busy.length).toBe(8)
    expect(created.length).toBeGreaterThanOrEqual(1)
    for (const answer of busy) {
      expect(answer.error?.code).toBe('IDEMPOTENCY_KEY_IN_USE')
      expect(answer.headers.get('retry-after')).toBe('1')
    }
    const ids = new Set(created.map((answer) => answer.data?.id))
    expect(ids.size).toBe(1)
  })

  it('keys belong to their caller: another user with the same key runs their own request', async () => {
    const key = randomUUID()
    const mine = await create(landingPageBody(), key)
    const other = await createAs(await clientFor(gateway, 'idempotency-other'), landingPageBody(), key)
    expect(mine.status).toBe(201)
    expect(other.status).toBe(201)
    expect(other.data?.id).not.toBe(mine.data?.id)
    expect(other.headers.get('idempotent-replayed')).toBeNull()
  })

  it('a final refusal is kept too; a refusal before anything happened frees the key', async () => {
    const key = randomUUID()
    const invalid = { ...landingPageBody(), email: 'not-an-email' }
    const refused = await create(invalid, key)
    expect(refused.status).toBe(400)
    // 400 from validation happens before the key is read: the key is still free.
    const valid = await create(landingPageBody(), key)
    expect(valid.status).toBe(201)

    const rejectedKey = randomUUID()
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 422, times: 1 })
    const body = landingPageBody()
    const upstreamRefusal = await create(body, rejectedKey)
    expect(upstreamRefusal.status).toBe(422)
    const replayed = await create(body, rejectedKey)
    expect(replayed.status).toBe(422)
    expect(replayed.headers.get('idempotent-replayed')).toBe('true')
    expect(replayed.text).toBe(upstreamRefusal.text)
  })

  it('keys are kept 72 hours, then the same key is a new request', async () => {
    const key = randomUUID()
    const first = await create(landingPageBody(), key)
    expect(first.status).toBe(201)
    gateway.clock.advance(71 * 3600_000)
    const kept = await create(landingPageBody(), key)
    expect(kept.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
    gateway.clock.advance(2 * 3600_000)
    const fresh = await create(landingPageBody(), key)
    expect(fresh.status).toBe(201)
    expect(fresh.data?.id).not.toBe(first.data?.id)
    gateway.clock.advance(-73 * 3600_000)
  })

  it('a multipart retry (new boundary, same fields and files) is the same request', async () => {
    const key = randomUUID()
    const [ktp, selfie] = await Promise.all([photo('jpeg'), photo('png', 480, 640, 7)])
    const dob = '1993-04-05'
    // Each call builds a new FormData, so a new boundary.
    const createForm = async () =>
      answered(
        await client.registrations
          .createWithFiles(
            {
              registration_type: 'privy_ra',
              name: 'Rina Wati',
              email: 'rina.multipart@example.co.id',
              phone: '6281311112222',
              nik: nikFor(dob, { ending: '7771' }),
              dob,
              phone_verified: true,
              ktp: { data: ktp, filename: 'ktp.jpg', contentType: 'image/jpeg' },
              selfie: { data: selfie, filename: 'selfie.png', contentType: 'image/png' },
            },
            { idempotencyKey: key },
          )
          .withResponse(),
      )
    const first = await createForm()
    expect(first.status, first.text).toBe(201)
    const again = await createForm()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.text).toBe(first.text)
  })

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['non-ASCII', 'kunci-é'],
  ])('an Idempotency-Key that is %s is refused with 400', async (_, key) => {
    const response = await create(landingPageBody(), key)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    expect(response.text).not.toContain(key.length > 3 ? key : '\u0000')
  })
})

describe('natural keys, without an Idempotency-Key', () => {
  it('one live registration per person: a second is 409 naming the first, and nothing reaches Privy', async () => {
    const dob = '1985-06-07'
    const body = await fullRegistrationJson({
      email: 'natural.person@example.co.id',
      nik: nikFor(dob, { ending: '4401' }),
      dob,
    })
    const first = await create(body)
    expect(first.status, first.text).toBe(201)
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const second = await create(body)
    expect(second.status).toBe(409)
    expect(second.error).toMatchObject({ code: 'REGISTRATION_EXISTS', registration_id: first.data?.id })
    expect(second.text).not.toContain(body.nik)
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before)
    // The same person under another caller is that caller's own registration.
    const elsewhere = await createAs(await clientFor(gateway, 'natural-other'), body)
    expect(elsewhere.status).toBe(201)
  })

  it('after a hard reject the person may register again', async () => {
    const dob = '1982-01-02'
    const body = await fullRegistrationJson({
      email: 'natural.reject@example.co.id',
      nik: nikFor(dob, { ending: '4402' }),
      dob,
      phone_verified: true,
    })
    const first = await register(gateway, 'idempotency-user', body)
    await gateway.sim('POST', `/__sim/registrations/${first.reference_number}/verify`, {
      outcome: { reject: 'RC04', resend: false },
    })
    const rejected = await getRegistration(gateway, 'idempotency-user', first.id, { refresh: true })
    expect(rejected).toMatchObject({ status: 'rejected', can_resend: false })
    const again = await create(body)
    expect(again.status, again.text).toBe(201)
    expect(again.data?.id).not.toBe(first.id)
  })

  it('a failed attempt does not block the next one', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 422, times: 1 })
    const body = landingPageBody()
    const failed = await create(body)
    expect(failed.status).toBe(422)
    const retried = await create(body)
    expect(retried.status).toBe(201)
  })

  describe('documents', () => {
    let signer: SignerUser
    let signerClient: GatewayClient
    beforeAll(async () => {
      signer = await verifiedUser(gateway, 'natural-doc-signer')
      signerClient = await clientFor(gateway, { token: signer.token })
    })

    it('one document per PDF and signers: a second upload is 409 naming the first; other signers are fine', async () => {
      const pdf = await a4Pdf()
      const metadata = (x: number) => ({
        title: 'Natural key agreement',
        sign_process: 'parallel',
        signers: [
          { registration_id: signer.registrationId, role: 'signer', placements: [signatureAt(1, x, 50)] },
        ],
      })
      const first = await uploadAs(signerClient, uploadBody(pdf, metadata(50)))
      expect(first.status, first.text).toBe(201)
      const second = await uploadAs(signerClient, uploadBody(pdf, metadata(50)))
      expect(second.status).toBe(409)
      expect(second.error).toMatchObject({ code: 'DOCUMENT_EXISTS', document_id: first.data?.id })
      const moved = await uploadAs(signerClient, uploadBody(pdf, metadata(200)))
      expect(moved.status).toBe(201)
      // Once revoked, the same PDF may go to the same signers again.
      const revoked = await signerClient.documents.revoke(first.data?.id ?? '').withResponse()
      expect(revoked.response.status).toBe(200)
      const again = await uploadAs(signerClient, uploadBody(pdf, metadata(50)))
      expect(again.status).toBe(201)
    })

    it('a keyed upload replays; operators have their own keys', async () => {
      const pdf = await a4Pdf(3)
      const metadata = {
        title: 'Keyed upload',
        sign_process: 'serial',
        signers: [
          { registration_id: signer.registrationId, role: 'signer', placements: [signatureAt(3, 70, 70)] },
        ],
      }
      const key = randomUUID()
      const first = await uploadAs(signerClient, uploadBody(pdf, metadata), key)
      expect(first.status, first.text).toBe(201)
      const again = await uploadAs(signerClient, uploadBody(pdf, metadata, 'renamed.pdf'), key)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.text).toBe(first.text)
      const changed = await uploadAs(
        signerClient,
        uploadBody(pdf, { ...metadata, title: 'Another title' }),
        key,
      )
      expect(changed.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
      const operator = await uploadAs(
        await clientFor(gateway, 'operator'),
        uploadBody(pdf, {
          ...metadata,
          signers: [{ ...metadata.signers[0], registration_id: undefined, privy_id: signer.privyId }],
        }),
        key,
      )
      expect(operator.headers.get('idempotent-replayed')).toBeNull()
    })
  })
})

describe('edges found in review', () => {
  let edge: TestGateway
  let user: GatewayClient
  beforeAll(async () => {
    edge = await startTestGateway({
      REQUEST_TIMEOUT_MS: '1000',
      PRIVY_TIMEOUT_MS: '3000',
      PRIVY_LATE_ANSWER_MS: '6000',
    })
    user = await clientFor(edge, 'idempotency-edges')
  })
  afterAll(async () => {
    await edge?.close()
  })

  const registerAnswers = async () =>
    (
      (await edge.sim('GET', `/__sim/requests?path=${encodeURIComponent(REGISTER_PATH)}`)).json
        .requests as Array<{
        status: number | null
      }>
    ).filter((entry) => entry.status !== null && entry.status < 300).length

  it('an answer cut short by the request deadline leaves the key to the operation, which a retry then gets', async () => {
    await edge.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'delay', delay_ms: 2000, times: 1 })
    const key = randomUUID()
    const body = landingPageBody()
    const before = await registerAnswers()
    const cut = await createAs(user, body, key)
    expect(cut.status).toBe(503)
    expect(cut.error?.code).toBe('REQUEST_TIMEOUT')
    const settled = await eventually(
      () => createAs(user, body, key),
      (response) => response.status === 201,
      { timeoutMs: 8000 },
    )
    expect(settled.status, settled.text).toBe(201)
    expect(await registerAnswers()).toBe(before + 1)
    const rows = await edge.database.prisma.registration.count({ where: { id: settled.data?.id } })
    expect(rows).toBe(1)
  })

  it('a probe that finds the reference held at Privy keeps the row unknown; its late answer settles it', async () => {
    const dob = '1984-04-04'
    const body = await fullRegistrationJson({
      email: 'edge.probe@example.co.id',
      nik: nikFor(dob, { ending: '5501' }),
      dob,
    })
    await edge.sim('POST', '/__sim/faults', {
      path: REGISTER_PATH,
      kind: 'commit_then_timeout',
      delay_ms: 5000,
      times: 1,
    })
    const before = await registerAnswers()
    // The request deadline (1 s) answers first; Privy's deadline (3 s) then leaves the row unknown.
    const lost = await createAs(user, body)
    expect(lost.status).toBe(503)
    const unknown = await eventually(
      () =>
        edge.database.prisma.registration.findFirstOrThrow({
          where: {
            emailMasked: 'e***@example.co.id',
            ownerId: 'user:idempotency-edges',
            registrationType: 'privy_ra',
          },
          orderBy: { createdAt: 'desc' },
        }),
      (record) => record.submission === 'unknown',
      { timeoutMs: 5000 },
    )
    const id = unknown.id
    // Past the late-answer window by the gateway's clock, before Privy's late answer really comes (5 s).
    edge.clock.advance(10_000)
    const probed = await createAs(user, body)
    expect(probed.status, probed.text).toBe(409)
    expect(probed.error).toMatchObject({ code: 'OPERATION_PENDING', registration_id: id })
    const row = await edge.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(row.submission).toBe('unknown')
    const settled = await eventually(
      () => edge.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'submitted',
      { timeoutMs: 8000 },
    )
    expect(settled.submission).toBe('submitted')
    expect(await registerTokenOf(edge, id)).not.toBeNull()
    const again = await createAs(user, body)
    expect(again.error).toMatchObject({ code: 'REGISTRATION_EXISTS', registration_id: id })
    expect(await registerAnswers()).toBe(before + 1)
    edge.clock.advance(-10_000)
  })

  it('a resend Privy refused is not kept as done: the retry with its key sends', async () => {
    const dob = '1986-06-06'
    const created = await register(edge, 'idempotency-edges', {
      email: 'edge.otp@example.co.id',
      nik: nikFor(dob, { ending: '5502' }),
      dob,
    })
    expect(created.status).toBe('waiting_otp')
    const otp = await requestOtp(edge, 'idempotency-edges', created.id)
    const row = await edge.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: otp.id } })
    await edge.sim('POST', `/__sim/otps/${row.upstreamTransactionId}/allow-resend`)
    edge.clock.advance(61_000)
    const messages = async () =>
      (await edge.sim('GET', `/__sim/messages?reference_number=${created.reference_number}`)).json.messages
        .length
    const sent = await messages()
    await edge.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register/otp-resend',
      kind: 'status',
      status: 422,
      times: 1,
    })
    const key = randomUUID()
    const resend = async () =>
      answered(
        await user.raw.POST('/v1/otp/{id}/resend', {
          params: { path: { id: otp.id } },
          headers: withKey(key),
        }),
      )
    const refused = await resend()
    expect(refused.status).toBe(409)
    expect(await messages()).toBe(sent)
    const retried = await resend()
    expect(retried.status, retried.text).toBe(200)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect(await messages()).toBe(sent + 1)
    edge.clock.advance(-61_000)
  })
})
