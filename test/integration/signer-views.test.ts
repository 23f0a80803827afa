import type { Document, GatewayClient } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { upload } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { type SignerUser, signatureAt, signWithOtp, verifiedUser } from '../helpers/documents.js'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'

const gateway = useGateway()
let alice: SignerUser
let bob: SignerUser
let serial: Document
let parallel: Document
let operator: GatewayClient

const as = (signer: SignerUser) => clientFor(gateway, { token: signer.token })
const awaiting = async (signer: SignerUser) =>
  (await (await as(signer)).documents.list({ awaiting: 'me' }).toArray()).map((d) => d.id)

beforeAll(async () => {
  alice = await verifiedUser(gateway, 'sv-alice')
  bob = await verifiedUser(gateway, 'sv-bob')
  operator = await clientFor(gateway, 'operator')
  serial = await upload(gateway, 'sv-officer', {
    title: 'Serial agreement',
    sign_process: 'serial',
    signers: [
      { privy_id: alice.privyId, placements: [signatureAt(1, 50, 700)] },
      { privy_id: bob.privyId, placements: [signatureAt(2, 300, 700)] },
    ],
  })
  parallel = await upload(gateway, 'sv-officer', {
    title: 'Parallel agreement',
    sign_process: 'parallel',
    signers: [{ privy_id: bob.privyId, placements: [signatureAt(1, 300, 700)] }],
  })
})

describe('GET /v1/documents?awaiting=me', () => {
  it("lists only documents where it is the caller's turn, and follows the serial order", async () => {
    expect(await awaiting(alice)).toEqual([serial.id])
    // Bob signs the serial document after Alice: only the parallel one is his to sign now.
    expect(await awaiting(bob)).toEqual([parallel.id])
    // The officer uploaded both and signs neither.
    const officer = await clientFor(gateway, 'sv-officer')
    expect(await officer.documents.list({ awaiting: 'me' }).toArray()).toEqual([])

    const signed = await signWithOtp(gateway, alice, [serial.id])
    expect(signed.status, signed.text).toBe(200)
    expect(await awaiting(alice)).toEqual([])
    expect(await awaiting(bob)).toEqual([parallel.id, serial.id])

    // Cursor paging of the signer's view: one a page, no repeats.
    const ids = []
    for await (const page of (await as(bob)).documents.list({ awaiting: 'me', limit: 1 }).pages()) {
      ids.push(...page.data.map((d) => d.id))
    }
    expect(ids).toEqual([parallel.id, serial.id])
    // Date and reference filters combine with it.
    const byReference = await (await as(bob)).documents
      .list({ awaiting: 'me', reference_number: serial.reference_number })
      .toArray()
    expect(byReference.map((d) => d.id)).toEqual([serial.id])
    const later = await (await as(bob)).documents
      .list({ awaiting: 'me', created_after: parallel.created_at })
      .toArray()
    expect(later.map((d) => d.id)).toEqual([parallel.id])
  })

  it.each([
    ['operator', 'awaiting=me', 'query.awaiting'],
    ['sv-bob', 'awaiting=me&status=uploaded', 'query.status'],
    ['sv-bob', 'awaiting=me&submission=submitted', 'query.submission'],
    ['sv-bob', 'awaiting=you', 'query.awaiting'],
  ])('%s with %s answers 400 naming %s', async (caller, query, path) => {
    const auth = caller === 'operator' ? { apiKey: TEST_API_KEY } : { token: bob.token }
    const answer = await gateway.call('GET', `/v1/documents?${query}`, auth)
    expect(answer.status, answer.text).toBe(400)
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(JSON.stringify(answer.json.errors)).toContain(path)
  })
})

describe('operator filters on GET /v1/documents', () => {
  it('filters by owner, status, reference and dates, showing the owner to operators only', async () => {
    const owned = await operator.documents.list({ owner: 'user:sv-officer' }).toArray()
    expect(owned.map((d) => d.id)).toEqual([parallel.id, serial.id])
    expect(new Set(owned.map((d) => d.owner))).toEqual(new Set(['user:sv-officer']))
    expect((await operator.documents.get(serial.id)).owner).toBe('user:sv-officer')

    const uploaded = await operator.documents.list({ owner: 'user:sv-officer', status: 'uploaded' }).toArray()
    expect(uploaded.map((d) => d.id)).toEqual([parallel.id, serial.id])
    const completed = await operator.documents
      .list({ owner: 'user:sv-officer', status: 'completed' })
      .toArray()
    expect(completed).toEqual([])
    const pending = await operator.documents.list({ owner: 'user:sv-officer', status: 'pending' }).toArray()
    expect(pending).toEqual([])
    const byReference = await operator.documents
      .list({ reference_number: parallel.reference_number })
      .toArray()
    expect(byReference.map((d) => d.id)).toEqual([parallel.id])
    const before = await operator.documents
      .list({ owner: 'user:sv-officer', created_before: parallel.created_at })
      .toArray()
    expect(before.map((d) => d.id)).toEqual([serial.id])

    // A signer sees the documents they sign, without whose they are, and may not ask by owner.
    const bobsList = await (await as(bob)).documents.list().toArray()
    expect(bobsList.map((d) => d.id)).toEqual([parallel.id, serial.id])
    expect(bobsList.every((d) => !('owner' in d))).toBe(true)
    const refused = await gateway.call('GET', '/v1/documents?owner=user:sv-officer', { token: bob.token })
    expect(refused.status).toBe(400)
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'query.owner' })])
    const badStatus = await gateway.call('GET', '/v1/documents?status=signed', { apiKey: TEST_API_KEY })
    expect(badStatus.status).toBe(400)
  })
})

describe('revoke with a reason', () => {
  it("records the operator's reason and key id in the history", async () => {
    const document = await upload(gateway, 'sv-officer', {
      title: 'Withdrawn application',
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 700)] }],
    })
    const revoked = await operator.documents.revoke(document.id, {
      reason: 'The borrower withdrew the application',
    })
    expect(revoked.status).toBe('revoked')
    const history = await operator.documents.history(document.id)
    const entry = history.events.find((event) => event.description.includes('withdrew'))
    expect(entry).toMatchObject({
      source: 'gateway',
      description: 'Revoked: The borrower withdrew the application',
    })
    expect(entry?.actor).toMatch(/^operator:[0-9a-f]{12}$/)
    // Gone from the signer's waiting list.
    expect(await awaiting(alice)).not.toContain(document.id)
  })

  it("records the user's sub when the uploader revokes without a reason", async () => {
    const officer = await clientFor(gateway, 'sv-officer')
    const document = await upload(gateway, 'sv-officer', {
      title: 'Superseded agreement',
      signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 700)] }],
    })
    await officer.documents.revoke(document.id)
    const history = await officer.documents.history(document.id)
    expect(history.events).toContainEqual(
      expect.objectContaining({
        description: "Revoked at the merchant's request",
        actor: 'user:sv-officer',
      }),
    )
  })

  it.each([
    ['a line break', { reason: 'withdrawn\nby phone' }],
    ['over 500 characters', { reason: 'x'.repeat(501) }],
    ['an empty reason', { reason: '   ' }],
    ['an unknown field', { reason: 'ok', actor: 'someone else' }],
  ])('refuses %s with 400 before anything is revoked', async (_, body) => {
    const answer = await gateway.call('POST', `/v1/documents/${parallel.id}/revoke`, {
      apiKey: TEST_API_KEY,
      body,
    })
    expect(answer.status, answer.text).toBe(400)
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/)
    expect((await operator.documents.get(parallel.id)).status).toBe('uploaded')
  })
})
