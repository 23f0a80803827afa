import type { GatewayClient, LandingPageRegistrationRequest } from '@privy-gateway/client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getRegistration } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { upstreamCount } from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

// A short Privy deadline so "no answer" cases end quickly.
const gateway = useGateway({ PRIVY_TIMEOUT_MS: '700' })
let token: string
let client: GatewayClient
beforeAll(async () => {
  token = await gateway.userToken('user-upstream')
  client = await clientFor(gateway, { token })
})
afterEach(async () => {
  await gateway.sim('DELETE', '/__sim/faults')
})

const REGISTER_PATH = '/web/api/v2/register'
let counter = 0
const body = (): LandingPageRegistrationRequest => ({
  registration_type: 'landing_page',
  name: 'Budi Santoso',
  email: `budi.${++counter}@example.co.id`,
  phone: '6285712345678',
})

async function register() {
  return answered(await client.raw.POST('/v1/registrations', { body: body() }))
}

async function rowOf(response: Awaited<ReturnType<typeof register>>) {
  const rows = await gateway.database.prisma.registration.findMany({
    orderBy: { createdAt: 'desc' },
    take: 1,
  })
  const row = rows[0]
  if (!row) throw new Error('no registration row was written')
  if (response.error?.registration_id) expect(response.error.registration_id).toBe(row.id)
  return row
}

function expectNoSecrets(response: Awaited<ReturnType<typeof register>>) {
  for (const secret of gateway.secrets) expect(response.text).not.toContain(secret)
  expect(response.text).not.toMatch(/at .+\.ts:\d+/) // no stack trace
}

describe('when Privy fails, the caller gets a clear upstream error and the row stays consistent', () => {
  it('401 from Privy (credentials refused, even after a fresh token): 502, row failed', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 401, times: 2 })
    const response = await register()
    expect(response.status).toBe(502)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    expect(response.error).toMatchObject({
      code: 'UPSTREAM_AUTHENTICATION_FAILED',
      upstream: { status: 401 },
    })
    expect(response.error?.upstream?.request_id).toEqual(expect.any(String))
    const row = await rowOf(response)
    expect(row.submission).toBe('failed')
    expect(row.registerTokenSealed).toBeNull()
    expectNoSecrets(response)
    // A failed attempt is not a registration the user has.
    const list = await client.raw.GET('/v1/registrations')
    expect(list.response.status).toBe(200)
    expect(list.data?.data.map((r) => r.id)).not.toContain(row.id)
  })

  it('one 401 is healed by a fresh token and a single retry', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 401, times: 1 })
    const response = await register()
    expect(response.status).toBe(201)
  })

  it('422 from Privy: 422 with the upstream reasons, row failed', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 422 })
    const response = await register()
    expect(response.status).toBe(422)
    expect(response.error).toMatchObject({ code: 'UPSTREAM_REJECTED', upstream: { status: 422 } })
    expect((await rowOf(response)).submission).toBe('failed')
    expectNoSecrets(response)
  })

  it('500 from Privy: 502, row unknown (Privy may have done it), never failed', async () => {
    const before = await upstreamCount(gateway, REGISTER_PATH)
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'status', status: 500 })
    const response = await register()
    expect(response.status).toBe(502)
    expect(response.error).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 500 } })
    const row = await rowOf(response)
    expect(row.submission).toBe('unknown')
    expect(response.error?.registration_id).toBe(row.id)
    // Never retried blindly: exactly one register call reached Privy.
    const after = await upstreamCount(gateway, REGISTER_PATH)
    expect(after).toBe(before + 1)
    expectNoSecrets(response)
    const shown = await getRegistration(gateway, { token }, row.id)
    expect(shown).toMatchObject({ status: 'pending', next_action: 'wait' })
  })

  it('malformed JSON from Privy: 502, row unknown', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'malformed_json' })
    const response = await register()
    expect(response.status).toBe(502)
    expect(response.error?.code).toBe('UPSTREAM_ERROR')
    expect((await rowOf(response)).submission).toBe('unknown')
    expectNoSecrets(response)
  })

  it('a dropped connection: 503, row unknown', async () => {
    await gateway.sim('POST', '/__sim/faults', { path: REGISTER_PATH, kind: 'drop' })
    const response = await register()
    expect(response.status).toBe(503)
    expect(response.error?.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(response.headers.get('retry-after')).not.toBeNull()
    expect((await rowOf(response)).submission).toBe('unknown')
    expectNoSecrets(response)
  })

  it('no answer within the deadline: 504, row unknown', async () => {
    await gateway.sim('POST', '/__sim/faults', {
      path: REGISTER_PATH,
      kind: 'commit_then_timeout',
      delay_ms: 3000,
    })
    const response = await register()
    expect(response.status).toBe(504)
    expect(response.error?.code).toBe('UPSTREAM_TIMEOUT')
    const row = await rowOf(response)
    expect(row.submission).toBe('unknown')
    // Privy did the work: the simulator holds the registration the gateway could not confirm.
    const upstream = await gateway.sim('GET', `/__sim/registrations/${row.referenceNumber}`)
    expect(upstream.status).toBe(200)
    expectNoSecrets(response)
  })

  it('Privy unreachable for a status refresh: the stored copy is served unless refresh was asked', async () => {
    const created = await register()
    expect(created.status).toBe(201)
    await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register/status',
      kind: 'status',
      status: 503,
      sticky: true,
    })
    const id = created.data?.id ?? ''
    const explicit = await client.raw.GET('/v1/registrations/{id}', {
      params: { path: { id }, query: { refresh: 'true' } },
    })
    expect(explicit.response.status).toBe(503)
    expect(explicit.error?.code).toBe('UPSTREAM_UNAVAILABLE')
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({
      where: { id: id },
    })
    expect(row.status).toBe('pending')
    expect(row.submission).toBe('submitted')
  })

  it('writes no Privy secret or token to the logs through all of this', () => {
    expect(gateway.logs.leaked(gateway.secrets)).toEqual([])
  })
})
