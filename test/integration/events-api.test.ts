import type { GatewayEvent, Registration } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerLanding, upload } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { type SignerUser, signatureAt, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'
import { startWebhookReceiver } from '../helpers/webhook-receiver.js'

const gateway = useGateway({ WEBHOOK_DISPATCH_INTERVAL_MS: '50' })
let dewi: Registration
let eko: Registration
let signer: SignerUser

const eventsOf = async (caller: string | { token: string }, query = {}) =>
  (await clientFor(gateway, caller)).events.list(query).toArray()
const about = (events: GatewayEvent[], id: string) => events.filter((event) => event.data.id === id)

beforeAll(async () => {
  dewi = await registerLanding(gateway, 'ev-dewi')
  eko = await registerLanding(gateway, 'ev-eko')
  signer = await verifiedUser(gateway, 'ev-signer')
})

describe('GET /v1/events', () => {
  it('carries what the webhooks carry; a user sees only the events of their own resources', async () => {
    const all = await eventsOf('operator')
    const [created] = about(all, dewi.id)
    expect(created).toMatchObject({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: 'registration.updated',
      data: { id: dewi.id, reference_number: dewi.reference_number, status: 'pending' },
    })
    expect(about(all, eko.id).length).toBeGreaterThan(0)

    const dewis = await eventsOf('ev-dewi')
    expect(dewis.length).toBeGreaterThan(0)
    expect(dewis.every((event) => event.data.id === dewi.id)).toBe(true)
    expect(about(await eventsOf('ev-eko'), dewi.id)).toEqual([])
    // No personal data: the masked contact details of the view are not in an event either.
    expect(JSON.stringify(all)).not.toContain(dewi.email)
  })

  it("a document's events reach its uploader and its signer, nobody else", async () => {
    const document = await upload(gateway, 'ev-officer', {
      title: 'Event agreement',
      signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 700)] }],
    })
    for (const reader of ['ev-officer', { token: signer.token }]) {
      const seen = about(await eventsOf(reader, { type: 'document.updated' }), document.id)
      expect(seen.length).toBeGreaterThan(0)
    }
    expect(about(await eventsOf('ev-dewi'), document.id)).toEqual([])
  })

  it('pages newest or oldest first by cursor, filtered by type and time', async () => {
    const newest = await eventsOf('operator')
    const oldest = await eventsOf('operator', { order: 'oldest_first' })
    expect(oldest.map((e) => e.id)).toEqual(newest.map((e) => e.id).reverse())
    const stamps = oldest.map((e) => e.created_at)
    expect(stamps).toEqual([...stamps].sort())

    const paged: string[] = []
    const client = await clientFor(gateway, 'operator')
    for await (const page of client.events.list({ order: 'oldest_first', limit: 2 }).pages()) {
      expect(page.data.length).toBeLessThanOrEqual(2)
      paged.push(...page.data.map((e) => e.id))
    }
    expect(paged).toEqual(oldest.map((e) => e.id))

    const registrations = await eventsOf('operator', { type: 'registration.updated' })
    expect(registrations.length).toBeGreaterThan(0)
    expect(registrations.every((e) => e.type === 'registration.updated')).toBe(true)
    const documents = await eventsOf('operator', { type: 'document.updated' })
    expect(registrations.length + documents.length).toBe(newest.length)

    // Catching up: from the instant of the event last handled, that one included (skipped by id).
    const middle = oldest[Math.floor(oldest.length / 2)]
    const after = await eventsOf('operator', { order: 'oldest_first', created_after: middle?.created_at })
    expect(after.map((e) => e.id)).toContain(middle?.id)
    expect(after.every((e) => e.created_at >= (middle?.created_at ?? ''))).toBe(true)
    expect(after.map((e) => e.id)).toEqual(
      oldest.filter((e) => e.created_at >= (middle?.created_at ?? '')).map((e) => e.id),
    )
  })

  it("a webhook delivery's webhook-id is the event's id in the feed", async () => {
    const receiver = await startWebhookReceiver(() => 204)
    const operator = await clientFor(gateway, 'operator')
    const endpoint = await operator.webhookEndpoints.create({ url: `${receiver.url}/hooks/privy` })
    try {
      const fresh = await registerLanding(gateway, 'ev-fajar')
      const [event] = about(await eventsOf('ev-fajar'), fresh.id)
      expect(event).toBeDefined()
      const delivered = await eventually('the delivery of the event', async () =>
        receiver.byId(event?.id ?? '').at(0),
      )
      expect(JSON.parse(delivered.body)).toMatchObject({ type: event?.type, data: event?.data })
    } finally {
      await operator.raw.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } })
      await receiver.close()
    }
  })

  it.each([
    ['type=registration.deleted', 'query.type'],
    ['order=sideways', 'query.order'],
    ['created_after=last-week', 'query.created_after'],
    ['limit=0', 'query.limit'],
    ['cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ['resource=abc', 'query'],
  ])('%s answers 400 problem+json naming %s', async (query, path) => {
    const answer = await gateway.call('GET', `/v1/events?${query}`, { apiKey: TEST_API_KEY })
    expect(answer.status, answer.text).toBe(400)
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(JSON.stringify(answer.json.errors ?? [])).toContain(path)
  })

  it('answers 401 without credentials', async () => {
    expect((await gateway.call('GET', '/v1/events')).status).toBe(401)
  })
})
