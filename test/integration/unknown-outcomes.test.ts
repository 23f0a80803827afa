import { randomUUID } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getDocument, getRegistration } from '../helpers/api.js'
import { a4Pdf, type SignerUser, signatureAt, uploadForm, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { type CallResult, TEST_API_KEY, useGateway } from '../helpers/gateway.js'
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

function expectPending(response: CallResult, field: string, id: string) {
  expect(response.status, JSON.stringify(response.json)).toBe(409)
  expect(response.json).toMatchObject({ code: 'OPERATION_PENDING', [field]: id, submission: 'unknown' })
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
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
    await fault(REGISTER, 'malformed_json')
    const garbled = await gateway.call('POST', '/v1/registrations', {
      token: user,
      body: await person({ phone_verified: true }),
    })
    expect(garbled.status).toBeGreaterThanOrEqual(500)
    const id = garbled.json.registration_id as string
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
    const refreshed = await gateway.call('GET', `/v1/registrations/${id}?refresh=true`, { token: user })
    expect(refreshed.status, refreshed.text).toBe(200)
  })

  it('reads pending, answers "pending", then at the bound is handed to an operator and frees the person', async () => {
    const user = await gateway.userToken(`lost-${randomUUID()}`)
    const body = await person()
    const key = randomUUID()
    const before = heldAtPrivy()
    await fault(REGISTER, 'commit_then_timeout', LOST_FOR_GOOD_MS)
    const lost = await gateway.call('POST', '/v1/registrations', {
      token: user,
      body,
      headers: { 'idempotency-key': key },
    })
    expect(lost.status, lost.text).toBe(504)
    const id = lost.json.registration_id as string

    const read = await getRegistration(gateway, { token: user }, id)
    expect(read).toMatchObject({ status: 'pending', submission: 'unknown', next_action: 'wait' })
    expectPending(
      await gateway.call('POST', `/v1/registrations/${id}/resend`, { token: user, body: { name: 'Siti' } }),
      'registration_id',
      id,
    )
    // Privy did it: once the late window is over, a keyed retry probes with the same reference number,
    // Privy refuses the repeat (409), and nothing is created twice.
    expect(heldAtPrivy()).toBe(before + 1)
    gateway.clock.advance(LATE_ANSWER_MS + 1000)
    const probed = await gateway.call('POST', '/v1/registrations', {
      token: user,
      body,
      headers: { 'idempotency-key': key },
    })
    expect(probed.json).toMatchObject({ code: 'OPERATION_PENDING', registration_id: id })
    expect(heldAtPrivy()).toBe(before + 1)

    await pastTheBound()
    const row = await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unresolved',
    )
    expect(row.submission).toBe('unresolved')
    // Loud, and naming the reference an operator checks with Privy.
    expect(errorsNaming(row.referenceNumber)).toHaveLength(1)
    const listed = await gateway.call('GET', '/v1/registrations?submission=unresolved', {
      apiKey: TEST_API_KEY,
    })
    expect(listed.status, listed.text).toBe(200)
    expect(listed.json.data.map((registration: { id: string }) => registration.id)).toContain(id)
    for (const registration of listed.json.data) expect(registration.submission).toBe('unresolved')
    const bad = await gateway.call('GET', '/v1/registrations?submission=lost', { apiKey: TEST_API_KEY })
    expect(bad.status).toBe(400)
    expect(bad.json.errors[0].path).toContain('submission')
    const event = await gateway.database.prisma.webhookEvent.findFirst({
      where: { resourceId: id },
      orderBy: { createdAt: 'desc' },
    })
    expect(event?.payload).toMatchObject({ data: { id, submission: 'unresolved' } })

    const after = await getRegistration(gateway, { token: user }, id)
    expect(after).toMatchObject({ submission: 'unresolved', next_action: 'register_again' })
    // The keyed retry still probes, and says plainly that an operator has it.
    const keyed = await gateway.call('POST', '/v1/registrations', {
      token: user,
      body,
      headers: { 'idempotency-key': key },
    })
    expect(keyed.status).toBe(409)
    expect(keyed.json).toMatchObject({ code: 'OUTCOME_UNRESOLVED', registration_id: id })
    // The person is free: a new registration goes through.
    const again = await gateway.call('POST', '/v1/registrations', { token: user, body })
    expect(again.status, again.text).toBe(201)
    expect(again.json.id).not.toBe(id)
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
  beforeAll(async () => {
    signer = await verifiedUser(gateway, `unknown-signer-${randomUUID()}`)
  })

  const metadata = (title: string, x = 50) => ({
    title,
    signers: [{ registration_id: signer.registrationId, placements: [signatureAt(1, x, 60)] }],
  })

  it('reads pending, and signing, revoking and the signed PDF answer "pending" (never 404); at the bound it is handed over', async () => {
    const pdf = await a4Pdf()
    await fault(UPLOAD, 'commit_then_timeout', LOST_FOR_GOOD_MS)
    const lost = await gateway.call('POST', '/v1/documents', {
      token: signer.token,
      form: uploadForm(pdf, metadata('Lost answer')),
    })
    expect(lost.status, lost.text).toBe(504)
    const id = lost.json.document_id as string

    const read = await getDocument(gateway, { token: signer.token }, id)
    expect(read).toMatchObject({ status: 'pending', submission: 'unknown', signing_url: null })
    const listed = await gateway.call('GET', '/v1/documents', { token: signer.token })
    expect(listed.json.data.find((document: { id: string }) => document.id === id)?.status).toBe('pending')
    const signing = await gateway.call('POST', '/v1/otp', {
      token: signer.token,
      body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: [id] },
    })
    expectPending(signing, 'document_id', id)
    expectPending(
      await gateway.call('POST', `/v1/documents/${id}/revoke`, { token: signer.token }),
      'document_id',
      id,
    )
    expectPending(
      await gateway.call('GET', `/v1/documents/${id}/signed.pdf`, { token: signer.token }),
      'document_id',
      id,
    )
    // Its history is the gateway's own until Privy confirms it.
    const history = await gateway.call('GET', `/v1/documents/${id}/history`, { token: signer.token })
    expect(history.status, history.text).toBe(200)
    expect(history.json.events.map((event: { source: string }) => event.source)).toEqual(['gateway'])
    // The same PDF to the same signer waits for it meanwhile.
    const twin = await gateway.call('POST', '/v1/documents', {
      token: signer.token,
      form: uploadForm(pdf, metadata('Lost answer')),
    })
    expect(twin.status).toBe(409)
    expect(twin.json.document_id).toBe(id)

    await pastTheBound()
    const row = await eventually(
      () => gateway.database.prisma.document.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unresolved',
    )
    expect(row.submission).toBe('unresolved')
    expect(errorsNaming(row.referenceNumber)).toHaveLength(1)
    const operators = await gateway.call('GET', '/v1/documents?submission=unresolved', {
      apiKey: TEST_API_KEY,
    })
    expect(operators.json.data.map((document: { id: string }) => document.id)).toContain(id)
    const revoke = await gateway.call('POST', `/v1/documents/${id}/revoke`, { token: signer.token })
    expect(revoke.status).toBe(409)
    expect(revoke.json).toMatchObject({ code: 'OUTCOME_UNRESOLVED', document_id: id })
    // The PDF is free to go again.
    const again = await gateway.call('POST', '/v1/documents', {
      token: signer.token,
      form: uploadForm(pdf, metadata('Lost answer')),
    })
    expect(again.status, again.text).toBe(201)
    expect(again.json.id).not.toBe(id)
  })

  it('once its late answer lands it reads uploaded, and what reads uploaded can be revoked', async () => {
    await fault(UPLOAD, 'commit_then_timeout', PRIVY_TIMEOUT_MS + 300)
    const late = await gateway.call('POST', '/v1/documents', {
      token: signer.token,
      form: uploadForm(await a4Pdf(), metadata('Late answer', 70)),
    })
    expect(late.status, late.text).toBe(504)
    const id = late.json.document_id as string
    const settled = await eventually(
      () => getDocument(gateway, { token: signer.token }, id),
      (document) => document.submission === 'submitted',
    )
    expect(settled).toMatchObject({ status: 'uploaded', submission: 'submitted' })
    const revoked = await gateway.call('POST', `/v1/documents/${id}/revoke`, { token: signer.token })
    expect(revoked.status, revoked.text).toBe(200)
    expect(revoked.json.status).toBe('revoked')
  })
})
