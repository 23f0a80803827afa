import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'

// Contract §3.2/§3.3 statuses, the landing page, and §7 verification outcomes, over a real socket.

const REGISTER = '/web/api/v2/register'
const STATUS = '/web/api/v2/register/status'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

interface Registered {
  reference_number: string
  channel_id: string
  register_token: string
  registration_url?: string
}

async function register(body: Record<string, unknown>): Promise<Registered> {
  const response = await client.signedPost(REGISTER, body)
  expect(response.status).toBe(201)
  return (response.json as { data: Registered }).data
}

async function status(registered: Registered) {
  const { reference_number, channel_id, register_token } = registered
  return client.signedPost(STATUS, { reference_number, channel_id, register_token })
}

async function statusData(registered: Registered): Promise<Record<string, unknown>> {
  const response = await status(registered)
  expect(response.status).toBe(201)
  return (response.json as { data: Record<string, unknown> }).data
}

const verify = (reference: string, body?: unknown) =>
  client.sim('POST', `/__sim/registrations/${reference}/verify`, body)

describe('landing page flow', () => {
  it('pending → HTML form posted → waiting_verification → verified with a privy_id', async () => {
    const registered = await register(registerBody('landing_page', { email: 'budi.santoso@example.co.id' }))
    const pending = await statusData(registered)
    expect(pending).toMatchObject({
      status: 'pending',
      email: 'budi.santoso@example.co.id',
      phone: '6281234567890',
    })
    expect(pending).not.toHaveProperty('privy_id')
    expect(pending).not.toHaveProperty('reject_reason')

    // The simulator listens on its own URL, which is also the default public URL.
    const pageUrl = registered.registration_url ?? ''
    expect(pageUrl.startsWith(`${simulator.url}/registration/`)).toBe(true)
    const page = await client.send('GET', pageUrl.slice(simulator.url.length))
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toMatch(/<title>[^<]+<\/title>/)
    expect(page.text).toContain('b***@example.co.id')
    expect(page.text).not.toContain('budi.santoso')
    const action = /<form method="post" action="([^"]+)">/.exec(page.text)?.[1]
    expect(action).toBe(`${new URL(pageUrl).pathname}/finish`)
    expect(action).not.toContain(registered.register_token)
    expect(page.text).toContain('Finish registration')

    const thanks = await client.send('POST', action ?? '', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(thanks.status).toBe(200)
    expect(thanks.text).toMatch(/thank you/i)
    expect((await statusData(registered)).status).toBe('waiting_verification')

    const verified = await verify(registered.reference_number)
    expect(verified.status).toBe(200)
    const final = await statusData(registered)
    expect(final).toMatchObject({ status: 'verified', privy_id: expect.stringMatching(/^SIM[A-Z0-9]{6}$/) })
    expect(final).not.toHaveProperty('resend')
    expect(Number.isNaN(Date.parse(String(final.updated_at)))).toBe(false)
  })

  it('answers 404 HTML for an unknown token and 409 for a second finish', async () => {
    const unknown = await client.send('GET', '/registration/no-such-token')
    expect(unknown.status).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/^text\/html/)
    expect((await client.send('POST', '/registration/no-such-token/finish')).status).toBe(404)

    const registered = await register(registerBody('landing_page'))
    const landingPath = new URL(registered.registration_url ?? '').pathname
    const finish = `${landingPath}/finish`
    expect((await client.send('POST', finish)).status).toBe(200)
    expect((await client.send('POST', finish)).status).toBe(409)
    expect((await client.send('GET', landingPath)).text).not.toContain('<form')
  })

  it('can be finished through /__sim too', async () => {
    const registered = await register(registerBody('landing_page'))
    const finished = await client.sim(
      'POST',
      `/__sim/registrations/${registered.reference_number}/finish-landing`,
    )
    expect(finished.status).toBe(200)
    expect(finished.json).toMatchObject({ status: 'waiting_verification', privy_id: null })
    const again = await client.sim(
      'POST',
      `/__sim/registrations/${registered.reference_number}/finish-landing`,
    )
    expect(again.status).toBe(409)
  })
})

describe('§3.3 status', () => {
  it('answers 404 for an unknown reference or a wrong register_token', async () => {
    const registered = await register(registerBody('privy_ra', { phone_verified: true }))
    expect((await status({ ...registered, reference_number: 'REG-UNKNOWN' })).status).toBe(404)
    expect((await status({ ...registered, register_token: 'wrong-token' })).status).toBe(404)
    expect((await status({ ...registered, channel_id: 'OTHER' })).status).toBe(404)
  })

  it('refuses a status body with a missing field with 422', async () => {
    const response = await client.signedPost(STATUS, {
      reference_number: 'REG-1',
      channel_id: DEV_CREDENTIALS.channelId,
    })
    expect(response.status).toBe(422)
    expect(response.text).toContain('register_token')
  })

  it('does not verify a registration that still waits for its OTP', async () => {
    const registered = await register(registerBody('privy_ra'))
    expect((await statusData(registered)).status).toBe('waiting_otp')
    expect((await verify(registered.reference_number)).status).toBe(409)
  })
})

describe('§7 scripted verification outcomes by NIK', () => {
  it.each([
    ['3174012345670001', 'RC01', 'KTP unreadable', true],
    ['3174012345670002', 'RC02', 'selfie does not match KTP', true],
    ['3174012345670003', 'RC03', 'NIK/name/DoB differ from the civil registry', true],
    ['3174012345670009', 'RC09', 'phone already tied to another Privy account', false],
  ])('NIK %s is rejected with %s', async (nik, code, reason, resend) => {
    const registered = await register(registerBody('privy_ra', { nik, phone_verified: true }))
    expect((await verify(registered.reference_number)).status).toBe(200)
    const data = await statusData(registered)
    expect(data).toMatchObject({ status: 'rejected', reject_reason: { code, reason }, resend })
    expect(data).not.toHaveProperty('privy_id')
  })

  it('verifies any other NIK', async () => {
    const registered = await register(
      registerBody('merchant_ra', { nik: '3174012345670004', phone_verified: true }),
    )
    const verified = await verify(registered.reference_number)
    expect(verified.json).toMatchObject({ status: 'verified', privy_id: expect.stringMatching(/^SIM/) })
  })

  it('lets a test force an outcome', async () => {
    const hard = await register(registerBody('privy_ra', { phone_verified: true }))
    const rejected = await verify(hard.reference_number, { outcome: { reject: 'RC10' } })
    expect(rejected.json).toMatchObject({
      status: 'rejected',
      reject_reason: { code: 'RC10', reason: 'email registered with another NIK' },
      resend: false,
    })

    const scripted = await register(
      registerBody('privy_ra', { nik: '3174012345670001', phone_verified: true }),
    )
    const forced = await verify(scripted.reference_number, { outcome: 'verified' })
    expect(forced.json).toMatchObject({ status: 'verified' })

    const soft = await register(registerBody('privy_ra', { phone_verified: true }))
    const custom = await verify(soft.reference_number, { outcome: { reject: 'RC04', resend: true } })
    expect(custom.json).toMatchObject({ reject_reason: { code: 'RC04' }, resend: true })
  })

  it('refuses an unknown forced outcome with 422 and an unknown reference with 404', async () => {
    const registered = await register(registerBody('privy_ra', { phone_verified: true }))
    expect((await verify(registered.reference_number, { outcome: { reject: 'RC99' } })).status).toBe(422)
    expect((await verify('REG-NOT-THERE')).status).toBe(404)
  })
})
