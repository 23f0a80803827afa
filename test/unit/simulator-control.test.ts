import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody } from '../../src/simulator/testing/fixtures.js'

// The /__sim test surface: health, request log, registration lookup and reset, over a real socket.

const REGISTER = '/web/api/v2/register'
const OTHER_CHANNEL = 'SIM-CHANNEL-2'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator({
    channels: [
      { channelId: DEV_CREDENTIALS.channelId, merchantRa: true },
      { channelId: OTHER_CHANNEL, merchantRa: true },
    ],
  })
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

interface LoggedRequest {
  method: string
  path: string
  status: number | null
  request_id: string | null
  at: string
  fault: string | null
}

const requestLog = async (path?: string) => {
  const response = await client.sim(
    'GET',
    path === undefined ? '/__sim/requests' : `/__sim/requests?path=${path}`,
  )
  return (response.json as { requests: LoggedRequest[] }).requests
}

const count = async (path: string) =>
  ((await client.sim('GET', `/__sim/requests/count?path=${path}`)).json as { count: number }).count

describe('/__sim', () => {
  it('answers the health check', async () => {
    const response = await client.sim('GET', '/__sim/health')
    expect(response.status).toBe(200)
    expect(response.json).toEqual({ status: 'ok' })
  })

  it('logs every API call with its answer and Request-ID, and nothing secret', async () => {
    await client.sim('POST', '/__sim/reset')
    const body = registerBody('privy_ra')
    const ok = await client.signedPost(REGISTER, body, { headers: { 'request-id': 'req-ok-1' } })
    const refused = await client.signedPost(REGISTER, body, { headers: { 'request-id': 'req-dup-2' } })
    expect([ok.status, refused.status]).toEqual([201, 409])
    await client.sim('GET', '/__sim/health')

    const all = await requestLog()
    expect(all.map((entry) => entry.path)).toEqual(['/oauth2/api/v1/token', REGISTER, REGISTER])
    expect(all.slice(1)).toMatchObject([
      { method: 'POST', status: 201, request_id: 'req-ok-1', fault: null },
      { method: 'POST', status: 409, request_id: 'req-dup-2', fault: null },
    ])
    expect(Number.isNaN(Date.parse(all[1]?.at ?? ''))).toBe(false)
    const text = JSON.stringify(all)
    for (const secret of [
      String(body.nik),
      String(body.name),
      DEV_CREDENTIALS.clientSecret,
      await client.token(),
    ]) {
      expect(text).not.toContain(secret)
    }
    expect(await count(REGISTER)).toBe(2)
    expect(await count('/web/api/v2/register/status')).toBe(0)
    expect((await requestLog(REGISTER)).length).toBe(2)
  })

  it('shows a registration, and asks for channel_id when a reference is used on two channels', async () => {
    const body = registerBody('landing_page')
    await client.signedPost(REGISTER, body)
    const one = await client.sim('GET', `/__sim/registrations/${body.reference_number}`)
    expect(one.status).toBe(200)
    expect(one.json).toMatchObject({
      reference_number: body.reference_number,
      channel_id: DEV_CREDENTIALS.channelId,
      registration_type: 'landing_page',
      status: 'pending',
      privy_id: null,
      registration_url: expect.stringContaining('/registration/'),
    })
    expect(JSON.stringify(one.json)).not.toContain('nik')

    await client.signedPost(REGISTER, { ...body, channel_id: OTHER_CHANNEL })
    expect((await client.sim('GET', `/__sim/registrations/${body.reference_number}`)).status).toBe(409)
    const picked = await client.sim(
      'GET',
      `/__sim/registrations/${body.reference_number}?channel_id=${OTHER_CHANNEL}`,
    )
    expect(picked.json).toMatchObject({ channel_id: OTHER_CHANNEL })
  })

  it('reset forgets registrations, faults, the request log and tokens', async () => {
    const body = registerBody('privy_ra')
    await client.signedPost(REGISTER, body)
    await client.sim('POST', '/__sim/faults', { path: REGISTER, kind: 'drop', sticky: true })
    const token = await client.token()

    expect((await client.sim('POST', '/__sim/reset')).status).toBe(200)
    expect((await client.sim('GET', `/__sim/registrations/${body.reference_number}`)).status).toBe(404)
    expect((await client.sim('GET', '/__sim/faults')).json).toEqual({ faults: [] })
    expect(await requestLog()).toEqual([])
    expect((await client.signedPost(REGISTER, registerBody('landing_page'), { token })).status).toBe(401)
  })

  it('reset with keep_tokens leaves issued tokens valid', async () => {
    const fresh = new SimulatorClient(simulator.url)
    const token = await fresh.token()
    await client.sim('POST', '/__sim/reset', { keep_tokens: true })
    expect((await fresh.signedPost(REGISTER, registerBody('landing_page'), { token })).status).toBe(201)
    expect(await count(REGISTER)).toBe(1)
  })

  it('answers unknown /__sim routes and bad bodies in the contract error shape', async () => {
    expect((await client.sim('GET', '/__sim/nothing')).json).toMatchObject({ error: { code: 404 } })
    const bad = await client.send('POST', '/__sim/reset', {
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    })
    expect(bad.json).toMatchObject({ error: { code: 400 } })
  })
})
