import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'

let gateway: TestGateway
let token: string

beforeAll(async () => {
  gateway = await startTestGateway()
  token = await gateway.userToken('user-callbacks')
  await gateway.enableCallbacks()
})
afterAll(async () => {
  await gateway?.close()
})

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read()
  for (let attempt = 0; attempt < 50 && !done(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

async function postCallback(body: unknown, headers: Record<string, string>) {
  const response = await request(`${gateway.url}/v1/privy/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const text = await response.body.text()
  return { status: response.statusCode, json: JSON.parse(text) }
}

const signed = (
  body: Record<string, unknown>,
  secret: string = DEV_CREDENTIALS.apiSecret,
  at = new Date(),
) => {
  const timestamp = privyTimestamp(at)
  return {
    timestamp,
    signature: signatureFor({ apiKey: DEV_CREDENTIALS.apiKey, apiSecret: secret }, timestamp, body),
  }
}

describe('POST /v1/privy/callbacks', () => {
  async function verifiedLater() {
    const created = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson({ phone_verified: true }),
    })
    expect(created.status).toBe(201)
    return created.json
  }

  it('refuses a forged, stale or unsigned callback with 401 and applies nothing', async () => {
    const registration = await verifiedLater()
    const body = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', privy_id: 'FORGED1' },
    }
    const forged = await postCallback(body, signed(body, 'not-the-secret'))
    expect(forged.status).toBe(401)
    const stale = await postCallback(
      body,
      signed(body, DEV_CREDENTIALS.apiSecret, new Date(Date.now() - 6 * 60_000)),
    )
    expect(stale.status).toBe(401)
    const unsigned = await postCallback(body, {})
    expect(unsigned.status).toBe(401)
    const tampered = await postCallback({ ...body, data: { ...body.data, privy_id: 'OTHER' } }, signed(body))
    expect(tampered.status).toBe(401)
    const shown = await gateway.call('GET', `/v1/registrations/${registration.id}`, { token })
    expect(shown.json).toMatchObject({ status: 'waiting_verification', privy_id: null })
  })

  it('accepts a correctly signed callback and refuses a signed one that is not a registration', async () => {
    const registration = await verifiedLater()
    const bad = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'teleported' },
    }
    const refused = await postCallback(bad, signed(bad))
    expect(refused.status).toBe(400)
    const body = { event: 'register', data: { reference_number: 'REG-UNKNOWN', status: 'verified' } }
    const unknown = await postCallback(body, signed(body))
    expect(unknown).toEqual({ status: 200, json: { received: true, applied: false } })
  })

  it('a late copy of the rejection that preceded a resend does not bring the rejection back', async () => {
    const created = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson({
        phone_verified: true,
        nik: '3171014105900001',
        dob: '1990-05-01',
      }),
    })
    expect(created.status, created.text).toBe(201)
    const { id, reference_number } = created.json
    await gateway.sim('POST', `/__sim/registrations/${reference_number}/verify`, {})
    const rejected = await eventually(
      async () => (await gateway.call('GET', `/v1/registrations/${id}`, { token })).json,
      (registration) => registration.status === 'rejected',
    )
    expect(rejected.can_resend).toBe(true)
    const resent = await gateway.call('POST', `/v1/registrations/${id}/resend`, {
      token,
      body: { name: 'Siti Aminah' },
    })
    expect(resent.status, resent.text).toBe(200)

    const stale = await gateway.sim('POST', '/__sim/callbacks/send', {
      reference_number,
      status_override: 'rejected',
    })
    expect(stale.status).toBeLessThan(300)
    await eventually(
      async () =>
        (await gateway.sim('GET', `/__sim/callbacks?reference_number=${reference_number}`)).json.callbacks,
      (callbacks: Array<{ http_status: number | null; status: string }>) =>
        callbacks.filter((callback) => callback.status === 'rejected' && callback.http_status === 200)
          .length >= 2,
    )
    const after = await gateway.call('GET', `/v1/registrations/${id}`, { token })
    expect(after.json.status).toBe('waiting_verification')

    await gateway.sim('POST', `/__sim/registrations/${reference_number}/verify`, {})
    const verified = await eventually(
      async () => (await gateway.call('GET', `/v1/registrations/${id}`, { token })).json,
      (registration) => registration.status === 'verified',
    )
    expect(verified.status).toBe('verified')
  })

  it('settles a registration whose outcome was unknown when its callback arrives', async () => {
    await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register',
      kind: 'commit_then_timeout',
      delay_ms: 4000,
    })
    const lost = await gateway.call('POST', '/v1/registrations', {
      token,
      body: await fullRegistrationJson({ phone_verified: true }),
    })
    expect(lost.status).toBe(504)
    const id = lost.json.registration_id
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(row.submission).toBe('unknown')
    await gateway.sim('POST', `/__sim/registrations/${row.referenceNumber}/verify`, {})
    const settled = await eventually(
      async () => (await gateway.call('GET', `/v1/registrations/${id}`, { token })).json,
      (registration) => registration.status === 'verified',
    )
    expect(settled).toMatchObject({ status: 'verified', next_action: 'none' })
    const adopted = await gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(adopted.submission).toBe('submitted')
    expect(adopted.registerToken).toBeTruthy()
  })
})
