import { randomUUID } from 'node:crypto'
import type { GatewayClient } from '@privy-gateway/client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getDocument, getRegistration, uploadRaw } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { a4Pdf, type SignerUser, signatureAt, uploadBody, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'
import { registerTokenOf } from '../helpers/privy-tokens.js'

/**
 * An operation whose outcome Privy never told the gateway never traps a person or a PDF: it reads as
 * pending, every action on it answers "pending" (409 OPERATION_PENDING with Retry-After, never 404),
 * it settles by itself (late answer, callback, a keyed retry's probe), and if none comes by the settle
 * bound (UNKNOWN_SETTLE_MINUTES, 15) it is handed to an operator (`unresolved`, an error log naming
 * the reference, `?submission=unresolved`) and the person or PDF may go again.
 */

const PRIVY_TIMEOUT_MS = 600
const LATE_ANSWER_MS = 1200
/** Privy does the work and answers after the late-answer window: the token is lost for good. */
const LOST_FOR_GOOD_MS = 3000
const BOUND_MS = 15 * 60_000
const REGISTER = '/web/api/v2/register'
const UPLOAD = '/web/api/v2/doc-signing'

let people = 0

const gateway = useGateway({
  PRIVY_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
  PRIVY_UPLOAD_TIMEOUT_MS: String(PRIVY_TIMEOUT_MS),
  PRIVY_LATE_ANSWER_MS: String(LATE_ANSWER_MS),
  RECONCILE_INTERVAL_MS: '100',
})
afterEach(async () => {
  await gateway.sim('DELETE', '/__sim/faults')
})

async function person(overrides: Record<string, unknown> = {}) {
  people += 1
  const dob = `19${70 + people}-0${1 + (people % 9)}-2${people % 9}`
  return fullRegistrationJson({
    email: `unknown.${people}@example.co.id`,
    nik: nikFor(dob),
    dob,
    ...overrides,
  })
}

async function fault(path: string, kind: string, delayMs?: number) {
  const added = await gateway.sim('POST', '/__sim/faults', {
    path,
    kind,
    times: 1,
    ...(delayMs === undefined ? {} : { delay_ms: delayMs }),
  })
  expect(added.status, added.text).toBeLessThan(300)
}

/** Registrations Privy (the simulator) holds: what it really did, answered or not. */
const heldAtPrivy = () => gateway.simulator.state.registrations.size

function expectPending(answer: { error?: unknown; response: Response }, field: string, id: string) {
  expect(answer.response.status, JSON.stringify(answer.error)).toBe(409)
  expect(answer.error).toMatchObject({ code: 'OPERATION_PENDING', [field]: id, submission: 'unknown' })
  expect(Number(answer.response.headers.get('retry-after'))).toBeGreaterThan(0)
}

/** `POST /v1/registrations` as `client` (keyed when `key` is given), answered as is. */
async function create(client: GatewayClient, body: Awaited<ReturnType<typeof person>>, key?: string) {
  const headers = key === undefined ? {} : { 'idempotency-key': key }
  return answered(await client.raw.POST('/v1/registrations', { body, headers }))
}

/** Error lines (level 50) of the gateway's log that name `reference`. */
function errorsNaming(reference: string) {
  return gateway.logs.lines
    .map((line) => JSON.parse(line) as { level: number; msg: string; reference_number?: string })
    .filter((line) => line.level === 50 && line.reference_number === reference)
}

/** Past the settle bound by the gateway's clock; the reconciler (every 100 ms here) hands the row over. */
async function pastTheBound() {
  gateway.clock.advance(BOUND_MS + 60_000)
}

describe('a registration whose answer is lost for good', () => {
  // First: callbacks carry a Timestamp checked against the gateway's clock, which later tests advance.
  it("a malformed answer is settled by Privy's callback naming the reference, token and all", async () => {
    await gateway.enableCallbacks()
    const user = await gateway.userToken(`garbled-${randomUUID()}`)
    const client = await clientFor(gateway, { token: user })
    await fault(REGISTER, 'malformed_json')
    const garbled = await create(client, await person({ phone_verified: true }))
    expect(garbled.status).toBeGreaterThanOrEqual(500)
    const id = garbled.error?.registration_id as string
    const read = await getRegistration(gateway, { token: user }, id)
    expect(read).toMatchObject({ status: 'pending', submission: 'unknown' })

    await gateway.sim('POST', `/__sim/registrations/${read.reference_number}/verify`, {
      outcome: 'verified',
    })
    const settled = await eventually(
      () => getRegistration(gateway, { token: user }, id),
      (registration) => registration.status === 'verified',
    )
    expect(settled).toMatchObject({ status: 'verified', submission: 'submitted', next_action: 'none' })
    const upstream = await gateway.sim('GET', `/__sim/registrations/${read.reference_number}`)
    expect(await registerTokenOf(gateway, id)).toBe(upstream.json.register_token)
    // With the token kept, status reads work.
    const refreshed = await getRegistration(gateway, { token: user }, id, { refresh: true })
    expect(refreshed.id).toBe(id)
  })

  it('reads pending, answers "pending", then at the bound is handed to an operator and frees the person', async () => {
    const user = await gateway.userToken(`lost-${randomUUID()}`)
    const client = await clientFor(gateway, { token: user })
    const operator = await clientFor(gateway, 'operator')
    const body = await person()
    const key = randomUUID()
    const before = heldAtPrivy()
    await fault(REGISTER, 'commit_then_timeout', LOST_FOR_GOOD_MS)
    const lost = await create(client, body, key)
    expect(lost.status, lost.text).toBe(504)
    const id = lost.error?.registration_id as string

    const read = await getRegistration(gateway, { token: user }, id)
    expect(read).toMatchObject({ status: 'pending', submission: 'unknown', next_action: 'wait' })
    expectPending(
      await client.raw.POST('/v1/registrations/{id}/resend', {
        params: { path: { id } },
        body: { name: 'Siti' },
      }),
      'registration_id',
      id,
    )
    // Privy did it: once the late window is over, a keyed retry probes with the same reference number,
    // Privy refuses the repeat (409), and nothing is created twice.
    expect(heldAtPrivy()).toBe(before + 1)
    gateway.clock.advance(LATE_ANSWER_MS + 1000)
    const probed = await create(client, body, key)
    expect(probed.error).toMatchObject({ code: 'OPERATION_PENDING', registration_id: id })
    expect(heldAtPrivy()).toBe(before + 1)

    await pastTheBound()
    const row = await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unresolved',
    )
    expect(row.submission).toBe('unresolved')
    // Loud, and naming the reference an operator checks with Privy.
    expect(errorsNaming(row.referenceNumber)).toHaveLength(1)
    const listed = await operator.raw.GET('/v1/registrations', {
      params: { query: { submission: 'unresolved' } },
    })
    expect(listed.response.status, JSON.stringify(listed.error)).toBe(200)
    expect(listed.data?.data.map((registration) => registration.id)).toContain(id)
    for (const registration of listed.data?.data ?? []) expect(registration.submission).toBe('unresolved')
    const bad = await operator.raw.GET('/v1/registrations', {
      params: { query: { submission: 'lost' as never } },
    })
    expect(bad.response.status).toBe(400)
    expect(bad.error?.errors?.[0]?.path).toContain('submission')
    const event = await gateway.database.prisma.webhookEvent.findFirst({
      where: { resourceId: id },
      orderBy: { createdAt: 'desc' },
    })
    expect(event?.payload).toMatchObject({ data: { id, submission: 'unresolved' } })

    const after = await getRegistration(gateway, { token: user }, id)
    expect(after).toMatchObject({ submission: 'unresolved', next_action: 'register_again' })
    // The keyed retry still probes, and says plainly that an operator has it.
    const keyed = await create(client, body, key)
    expect(keyed.status).toBe(409)
    expect(keyed.error).toMatchObject({ code: 'OUTCOME_UNRESOLVED', registration_id: id })
    // The person is free: a new registration goes through.
    const again = await create(client, body)
    expect(again.status, again.text).toBe(201)
    expect(again.data?.id).not.toBe(id)
  })

  it('a create left in flight by a killed instance becomes unknown, then unresolved at the bound', async () => {
    const id = randomUUID()
    const referenceNumber = `REG-${id.replaceAll('-', '').toUpperCase()}`
    await gateway.database.prisma.registration.create({
      data: {
        id,
        ownerId: 'user:killed',
        referenceNumber,
        registrationType: 'landing_page',
        status: 'pending',
        submission: 'in_flight',
        emailMasked: 'k***@example.co.id',
        phoneMasked: '6281******000',
        createdAt: new Date(Date.now() + gateway.clock.offset() - 5 * 60_000),
      },
    })
    await gateway.database.prisma.naturalKey.create({
      data: { key: `killed-${id}`, resource: 'registration', resourceId: id },
    })
    const unknown = await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unknown',
    )
    expect(unknown.submission).toBe('unknown')
    await pastTheBound()
    const handed = await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unresolved',
    )
    expect(handed.submission).toBe('unresolved')
    expect(await gateway.database.prisma.naturalKey.count({ where: { resourceId: id } })).toBe(0)
    expect(errorsNaming(referenceNumber)).toHaveLength(1)
  })
})

describe('a document whose upload outcome is unknown', () => {
  let signer: SignerUser
  let client: GatewayClient
  beforeAll(async () => {
    signer = await verifiedUser(gateway, `unknown-signer-${randomUUID()}`)
    client = await clientFor(gateway, { token: signer.token })
  })

  const metadata = (title: string, x = 50) => ({
    title,
    signers: [{ registration_id: signer.registrationId, placements: [signatureAt(1, x, 60)] }],
  })

  it('reads pending, and signing, revoking and the signed PDF answer "pending" (never 404); at the bound it is handed over', async () => {
    const pdf = await a4Pdf()
    await fault(UPLOAD, 'commit_then_timeout', LOST_FOR_GOOD_MS)
    const lost = await uploadRaw(client, uploadBody(pdf, metadata('Lost answer')))
    expect(lost.status, lost.text).toBe(504)
    const id = lost.error?.document_id as string

    const read = await getDocument(gateway, { token: signer.token }, id)
    expect(read).toMatchObject({ status: 'pending', submission: 'unknown', signing_url: null })
    const listed = await client.raw.GET('/v1/documents')
    expect(listed.data?.data.find((document) => document.id === id)?.status).toBe('pending')
    const signing = await client.raw.POST('/v1/otp', {
      body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [id] },
    })
    expectPending(signing, 'document_id', id)
    expectPending(
      await client.raw.POST('/v1/documents/{id}/revoke', { params: { path: { id } } }),
      'document_id',
      id,
    )
    expectPending(
      await client.raw.GET('/v1/documents/{id}/signed.pdf', { params: { path: { id } } }),
      'document_id',
      id,
    )
    // Its history is the gateway's own until Privy confirms it.
    const history = await client.documents.history(id).withResponse()
    expect(history.response.status).toBe(200)
    expect(history.data.events.map((event) => event.source)).toEqual(['gateway'])
    // The same PDF to the same signer waits for it meanwhile.
    const twin = await uploadRaw(client, uploadBody(pdf, metadata('Lost answer')))
    expect(twin.status).toBe(409)
    expect(twin.error?.document_id).toBe(id)

    await pastTheBound()
    const row = await eventually(
      () => gateway.database.prisma.document.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unresolved',
    )
    expect(row.submission).toBe('unresolved')
    expect(errorsNaming(row.referenceNumber)).toHaveLength(1)
    const operator = await clientFor(gateway, 'operator')
    const operators = await operator.raw.GET('/v1/documents', {
      params: { query: { submission: 'unresolved' } },
    })
    expect(operators.data?.data.map((document) => document.id)).toContain(id)
    const revoke = await client.raw.POST('/v1/documents/{id}/revoke', { params: { path: { id } } })
    expect(revoke.response.status).toBe(409)
    expect(revoke.error).toMatchObject({ code: 'OUTCOME_UNRESOLVED', document_id: id })
    // The PDF is free to go again.
    const again = await uploadRaw(client, uploadBody(pdf, metadata('Lost answer')))
    expect(again.status, again.text).toBe(201)
    expect(again.data?.id).not.toBe(id)
  })

  it('once its late answer lands it reads uploaded, and what reads uploaded can be revoked', async () => {
    await fault(UPLOAD, 'commit_then_timeout', PRIVY_TIMEOUT_MS + 300)
    const late = await uploadRaw(client, uploadBody(await a4Pdf(), metadata('Late answer', 70)))
    expect(late.status, late.text).toBe(504)
    const id = late.error?.document_id as string
    const settled = await eventually(
      () => getDocument(gateway, { token: signer.token }, id),
      (document) => document.submission === 'submitted',
    )
    expect(settled).toMatchObject({ status: 'uploaded', submission: 'submitted' })
    const revoked = await client.documents.revoke(id).withResponse()
    expect(revoked.response.status).toBe(200)
    expect(revoked.data.status).toBe('revoked')
  })
})
