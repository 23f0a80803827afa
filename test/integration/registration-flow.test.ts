import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.js'
import { allRegisterTokens, registerTokenOf } from '../helpers/privy-tokens.js'

let gateway: TestGateway

beforeAll(async () => {
  gateway = await startTestGateway()
})
afterAll(async () => {
  await gateway?.close()
})

const landingPage = (suffix: string) => ({
  registration_type: 'landing_page',
  name: 'Siti Aminah',
  email: `siti.${suffix}@example.co.id`,
  phone: '6281234567890',
})

describe('landing-page registration, end to end', () => {
  it('registers, finishes on the landing page and follows the status to verified', async () => {
    const token = await gateway.userToken('user-siti')
    const created = await gateway.call('POST', '/v1/registrations', { token, body: landingPage('flow') })
    expect(created.status).toBe(201)
    expect(created.headers.location).toBe(`/v1/registrations/${created.json.id}`)
    expect(created.json).toMatchObject({
      registration_type: 'landing_page',
      status: 'pending',
      next_action: 'open_registration_url',
      can_resend: false,
      privy_id: null,
      reject_reason: null,
      email: 's***@example.co.id',
      phone: '6281******890',
    })
    expect(created.json.reference_number).toMatch(/^REG-[0-9A-F]{32}$/)
    expect(created.json.registration_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)

    // The register token stays on the server: stored, never answered.
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({
      where: { id: created.json.id },
    })
    const registerToken = (await registerTokenOf(gateway, created.json.id)) ?? ''
    expect(registerToken).toBeTruthy()
    expect(row.submission).toBe('submitted')
    expect(created.text).not.toContain(registerToken)
    const upstream = await gateway.sim('GET', `/__sim/registrations/${created.json.reference_number}`)
    expect(upstream.status).toBe(200)
    expect(upstream.json.status).toBe('pending')

    // The user opens the real landing page and presses its button.
    const page = await request(created.json.registration_url)
    const html = await page.body.text()
    expect(page.statusCode).toBe(200)
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    expect(action).toBeTruthy()
    const finished = await request(new URL(action ?? '', created.json.registration_url), { method: 'POST' })
    await finished.body.dump()
    expect(finished.statusCode).toBeLessThan(400)

    const waiting = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, { token })
    expect(waiting.status).toBe(200)
    expect(waiting.json).toMatchObject({
      status: 'waiting_verification',
      next_action: 'wait',
      registration_url: null,
    })

    const verify = await gateway.sim(
      'POST',
      `/__sim/registrations/${created.json.reference_number}/verify`,
      {},
    )
    expect(verify.status).toBe(200)
    const verified = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, { token })
    expect(verified.json).toMatchObject({ status: 'verified', next_action: 'none' })
    expect(verified.json.privy_id).toMatch(/\w+/)
    expect(verified.text).not.toContain(registerToken)
  })

  it('reuses a fresh copy without calling Privy, and asks Privy when told to refresh', async () => {
    const token = await gateway.userToken('user-cache')
    const created = await gateway.call('POST', '/v1/registrations', { token, body: landingPage('cache') })
    const statusPath = '/web/api/v2/register/status'
    const before = (await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count
    await gateway.call('GET', `/v1/registrations/${created.json.id}`, { token })
    expect((await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count).toBe(before)
    await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, { token })
    expect((await gateway.sim('GET', `/__sim/requests/count?path=${statusPath}`)).json.count).toBe(before + 1)
  })

  it('a stored copy that fell behind catches up with Privy, and a verified one stays verified', async () => {
    const token = await gateway.userToken('user-backwards')
    const created = await gateway.call('POST', '/v1/registrations', { token, body: landingPage('back') })
    await gateway.sim('POST', `/__sim/registrations/${created.json.reference_number}/finish-landing`, {})
    await gateway.sim('POST', `/__sim/registrations/${created.json.reference_number}/verify`, {})
    const verified = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, { token })
    expect(verified.json.status).toBe('verified')
    // A copy that missed the verification (no snapshot time yet) is brought forward by a read.
    await gateway.database.prisma.registration.update({
      where: { id: created.json.id },
      data: { status: 'waiting_verification', privyId: null, upstreamUpdatedAt: null },
    })
    const again = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, { token })
    expect(again.json).toMatchObject({ status: 'verified', privy_id: verified.json.privy_id })
  })
})

describe('who sees what', () => {
  it("answers 404 to a stranger and lists only the caller's own registrations", async () => {
    const owner = await gateway.userToken('user-owner')
    const stranger = await gateway.userToken('user-stranger')
    const created = await gateway.call('POST', '/v1/registrations', {
      token: owner,
      body: landingPage('own'),
    })

    const peek = await gateway.call('GET', `/v1/registrations/${created.json.id}`, { token: stranger })
    expect(peek.status).toBe(404)
    expect(peek.headers['content-type']).toContain('application/problem+json')
    expect(peek.json).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect(peek.text).not.toContain(created.json.reference_number)

    const refreshPeek = await gateway.call('GET', `/v1/registrations/${created.json.id}?refresh=true`, {
      token: stranger,
    })
    expect(refreshPeek.status).toBe(404)

    const strangersList = await gateway.call('GET', '/v1/registrations', { token: stranger })
    expect(strangersList.status).toBe(200)
    expect(strangersList.json.data).toEqual([])

    const operator = await gateway.call('GET', `/v1/registrations/${created.json.id}`, {
      apiKey: TEST_API_KEY,
    })
    expect(operator.status).toBe(200)
    expect(operator.json.id).toBe(created.json.id)
  })

  it("pages through a user's registrations newest first with a cursor", async () => {
    const token = await gateway.userToken('user-pages')
    const ids: string[] = []
    for (const suffix of ['p1', 'p2', 'p3']) {
      const created = await gateway.call('POST', '/v1/registrations', { token, body: landingPage(suffix) })
      ids.push(created.json.id)
    }
    const first = await gateway.call('GET', '/v1/registrations?limit=2', { token })
    expect(first.json.data.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]])
    expect(first.json.next_cursor).toEqual(expect.any(String))
    const second = await gateway.call('GET', `/v1/registrations?limit=2&cursor=${first.json.next_cursor}`, {
      token,
    })
    expect(second.json.data.map((r: { id: string }) => r.id)).toEqual([ids[0]])
    expect(second.json.next_cursor).toBeNull()

    const encode = (text: string) => Buffer.from(text).toString('base64url')
    for (const cursor of [
      'bm90LWEtY3Vyc29y',
      encode(`2020-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
      encode(`99999-01-01|${crypto.randomUUID()}`),
      encode(`2020-01-01T00:00:00.000Z|${crypto.randomUUID()}|extra`),
    ]) {
      const forged = await gateway.call('GET', `/v1/registrations?cursor=${cursor}`, { token })
      expect(forged.status, cursor).toBe(400)
      expect(forged.json.errors[0].path).toBe('query.cursor')
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
