import type { GatewayClient, LandingPageRegistrationRequest } from '@privy-gateway/client'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import { useGateway } from '../helpers/gateway.js'
import { allRegisterTokens, registerTokenOf } from '../helpers/privy-tokens.js'

const gateway = useGateway()

const landingPage = (suffix: string): LandingPageRegistrationRequest => ({
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: `siti.${suffix}@example.co.id`,
  phone: '6281234567890',
})

/** `GET /v1/registrations/{id}?refresh=true`, typed, with its response. */
const refreshed = (client: GatewayClient, id: string) =>
  client.raw.GET('/v1/registrations/{id}', { params: { path: { id }, query: { refresh: 'true' } } })

describe('landing-page registration, end to end', () => {
  it('registers, finishes on the landing page and follows the status to verified', async () => {
    const client = await clientFor(gateway, 'user-siti')
    const created = await client.registrations.create(landingPage('flow')).withResponse()
    expect(created.response.status).toBe(201)
    expect(created.response.headers.get('location')).toBe(`/v1/registrations/${created.data.id}`)
    expect(created.data).toMatchObject({
      registration_type: 'landing_page',
      status: 'pending',
      next_action: 'open_registration_url',
      can_resend: false,
      privy_id: null,
      reject_reason: null,
      email: 's***@example.co.id',
      phone: '6281******890',
    })
    expect(created.data.reference_number).toMatch(/^REG-[0-9A-F]{32}$/)
    expect(created.data.registration_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)

    // The register token stays on the server: stored, never answered.
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({
      where: { id: created.data.id },
    })
    const registerToken = (await registerTokenOf(gateway, created.data.id)) ?? ''
    expect(registerToken).toBeTruthy()
    expect(row.submission).toBe('submitted')
    expect(JSON.stringify(created.data)).not.toContain(registerToken)
    const upstream = await gateway.sim('GET', `/__sim/registrations/${created.data.reference_number}`)
    expect(upstream.status).toBe(200)
    expect(upstream.json.status).toBe('pending')

    // The user opens the real landing page and presses its button.
    const registrationUrl = created.data.registration_url ?? ''
    const page = await request(registrationUrl)
    const html = await page.body.text()
    expect(page.statusCode).toBe(200)
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    expect(action).toBeTruthy()
    const finished = await request(new URL(action ?? '', registrationUrl), { method: 'POST' })
    await finished.body.dump()
    expect(finished.statusCode).toBeLessThan(400)

    const waiting = await refreshed(client, created.data.id)
    expect(waiting.response.status).toBe(200)
    expect(waiting.data).toMatchObject({
      status: 'waiting_verification',
      next_action: 'wait',
      registration_url: null,
    })

    const verify = await gateway.sim(
      'POST',
      `/__sim/registrations/${created.data.reference_number}/verify`,
      {},
    )
    expect(verify.status).toBe(200)
    const verified = await refreshed(client, created.data.id)
    expect(verified.data).toMatchObject({ status: 'verified', next_action: 'none' })
    expect(verified.data?.privy_id).toMatch(/\w+/)
    expect(JSON.stringify(verified.data)).not.toContain(registerToken)
  })

  it('reuses a fresh copy without calling Privy, and asks Privy when told to refresh', async () => {
    const client = await clientFor(gateway, 'user-cache')
    const created = await client.registrations.create(landingPage('cache'))
    const statusPath = '/web/api/v2/register/status'
    const before = (await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count
    await client.registrations.get(created.id)
    expect((await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count).toBe(before)
    await client.registrations.get(created.id, { refresh: true })
    expect((await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count).toBe(before + 1)
  })

  it('a refresh whose answer changes nothing writes nothing, until the refresh interval has passed', async () => {
    const client = await clientFor(gateway, 'user-unchanged')
    const created = await client.registrations.create(landingPage('unchanged'))
    const rowOf = () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id: created.id } })
    const eventsOf = () => gateway.database.prisma.webhookEvent.count({ where: { resourceId: created.id } })
    const before = await rowOf()
    const eventsBefore = await eventsOf()
    const statusPath = '/web/api/v2/register/status'
    const asked = (await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count
    for (let poll = 0; poll < 3; poll++) {
      const read = await client.registrations.get(created.id, { refresh: true })
      expect(read).toMatchObject({ status: 'pending', updated_at: before.updatedAt.toISOString() })
    }
    // Privy was asked every time (no answer reused) and the row is as it was: no write, no event.
    expect((await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count).toBe(asked + 3)
    const after = await rowOf()
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime())
    expect(after.syncedAt?.getTime()).toBe(before.syncedAt?.getTime())
    expect(await eventsOf()).toBe(eventsBefore)
    // Once a plain read would ask again, the read that asks records when it did.
    gateway.clock.advance(31_000)
    await client.registrations.get(created.id, { refresh: true })
    expect((await rowOf()).syncedAt?.getTime()).toBeGreaterThan(before.syncedAt?.getTime() ?? 0)
  })

  it('a stored copy that fell behind catches up with Privy, and a verified one stays verified', async () => {
    const client = await clientFor(gateway, 'user-backwards')
    const created = await client.registrations.create(landingPage('back'))
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/finish-landing`, {})
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const verified = await client.registrations.get(created.id, { refresh: true })
    expect(verified.status).toBe('verified')
    // A copy that missed the verification (no snapshot time yet) is brought forward by a read.
    await gateway.database.prisma.registration.update({
      where: { id: created.id },
      data: { status: 'waiting_verification', privyId: null, upstreamUpdatedAt: null },
    })
    const again = await client.registrations.get(created.id, { refresh: true })
    expect(again).toMatchObject({ status: 'verified', privy_id: verified.privy_id })
  })
})

describe('who sees what', () => {
  it("answers 404 to a stranger and lists only the caller's own registrations", async () => {
    const owner = await clientFor(gateway, 'user-owner')
    const stranger = await clientFor(gateway, 'user-stranger')
    const created = await owner.registrations.create(landingPage('own'))

    const peek = await stranger.raw.GET('/v1/registrations/{id}', { params: { path: { id: created.id } } })
    expect(peek.response.status).toBe(404)
    expect(peek.response.headers.get('content-type')).toContain('application/problem+json')
    expect(peek.error).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect(JSON.stringify(peek.error)).not.toContain(created.reference_number)

    const refreshPeek = await refreshed(stranger, created.id)
    expect(refreshPeek.response.status).toBe(404)

    const strangersList = await stranger.raw.GET('/v1/registrations')
    expect(strangersList.response.status).toBe(200)
    expect(strangersList.data?.data).toEqual([])

    const operator = await (await clientFor(gateway, 'operator')).raw.GET('/v1/registrations/{id}', {
      params: { path: { id: created.id } },
    })
    expect(operator.response.status).toBe(200)
    expect(operator.data?.id).toBe(created.id)
  })

  it("pages through a user's registrations newest first with a cursor", async () => {
    const client = await clientFor(gateway, 'user-pages')
    const ids: string[] = []
    for (const suffix of ['p1', 'p2', 'p3']) {
      const created = await client.registrations.create(landingPage(suffix))
      ids.push(created.id)
    }
    const list = (query: { limit?: number; cursor?: string }) =>
      client.raw.GET('/v1/registrations', { params: { query } })
    const first = await list({ limit: 2 })
    expect(first.data?.data.map((r) => r.id)).toEqual([ids[2], ids[1]])
    expect(first.data?.next_cursor).toEqual(expect.any(String))
    const second = await list({ limit: 2, cursor: first.data?.next_cursor ?? '' })
    expect(second.data?.data.map((r) => r.id)).toEqual([ids[0]])
    expect(second.data?.next_cursor).toBeNull()

    const encode = (text: string) => Buffer.from(text).toString('base64url')
    for (const cursor of [
      'bm90LWEtY3Vyc29y',
      encode(`2020-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
      encode(`99999-01-01|${crypto.randomUUID()}`),
      encode(`2020-01-01T00:00:00.000Z|${crypto.randomUUID()}|extra`),
    ]) {
      const forged = await list({ cursor })
      expect(forged.response.status, cursor).toBe(400)
      expect(forged.error?.errors?.[0]?.path).toBe('query.cursor')
    }
  })
})

describe('secrets', () => {
  it('never writes a Privy token, key or secret to the logs', async () => {
    const registerTokens = await allRegisterTokens(gateway)
    expect(registerTokens.length).toBeGreaterThan(0)
    expect(gateway.logs.lines.length).toBeGreaterThan(0)
    expect(gateway.logs.leaked([...gateway.secrets, ...registerTokens])).toEqual([])
    expect(gateway.logs.text()).not.toContain('6281234567890')
  })
})
