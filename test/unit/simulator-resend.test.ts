import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'
import { registerBody, TINY_PNG_BASE64 } from '../../src/simulator/testing/fixtures.js'
import { type RegistrationRef, registerWith, statusOf } from '../../src/simulator/testing/flows.js'

// Contract §3.4 resend after a soft reject, and the §7 scripted outcome that follows it.

const RESEND = '/web/api/v2/register/resend'

let simulator: RunningSimulator
let client: SimulatorClient

beforeAll(async () => {
  simulator = await startSimulator()
  client = new SimulatorClient(simulator.url)
})

afterAll(async () => {
  await simulator.close()
})

/** Registered with phone_verified (so straight to waiting_verification), then verified once. */
async function decided(nik: string, outcome?: unknown): Promise<RegistrationRef> {
  const ref = await registerWith(client, registerBody('privy_ra', { nik, phone_verified: true }))
  const body = outcome === undefined ? undefined : { outcome }
  expect((await client.sim('POST', `/__sim/registrations/${ref.reference_number}/verify`, body)).status).toBe(
    200,
  )
  return ref
}

const resend = (registered: RegistrationRef, corrected: Record<string, unknown>) =>
  client.signedPost(RESEND, { ...registered, ...corrected })

const statusData = (ref: RegistrationRef) => statusOf(client, ref)

const verify = (registered: RegistrationRef) =>
  client.sim('POST', `/__sim/registrations/${registered.reference_number}/verify`)

describe('§3.4 resend after a soft reject', () => {
  it('goes back to waiting_verification, and the corrected registration is then verified', async () => {
    const registered = await decided('3174012345670001')
    expect(await statusData(registered)).toMatchObject({ status: 'rejected', resend: true })

    const response = await resend(registered, { identity: TINY_PNG_BASE64 })
    expect(response.status).toBe(201)
    const data = (response.json as { data: Record<string, unknown> }).data
    expect(data).toMatchObject({ ...registered, status: 'waiting_verification' })
    expect(data).not.toHaveProperty('reject_reason')
    expect(data).not.toHaveProperty('resend')
    expect(await statusData(registered)).toMatchObject({ status: 'waiting_verification' })

    expect((await verify(registered)).json).toMatchObject({ status: 'verified', reject_reason: null })
    expect(await statusData(registered)).toMatchObject({ status: 'verified', privy_id: expect.any(String) })
  })

  it('applies the outcome scripted by a corrected NIK', async () => {
    const registered = await decided('3174012345670003')
    const response = await resend(registered, { nik: '3174012345670002', name: 'Siti Aminah Putri' })
    expect(response.status).toBe(201)
    expect((await verify(registered)).json).toMatchObject({
      status: 'rejected',
      name: 'Siti Aminah Putri',
      reject_reason: { code: 'RC02' },
      resend: true,
    })
    // A second correction with a NIK that scripts nothing fixes it.
    expect((await resend(registered, { nik: '3174012345670004' })).status).toBe(201)
    expect((await verify(registered)).json).toMatchObject({ status: 'verified' })
  })

  it('is allowed for a forced reject that is soft', async () => {
    const registered = await decided('3174012345678900', { reject: 'RC04', resend: true })
    expect((await resend(registered, { dob: '1990-02-28' })).status).toBe(201)
  })
})

describe('§3.4 refusals', () => {
  it('refuses a hard reject with 422', async () => {
    const registered = await decided('3174012345670009')
    expect(await statusData(registered)).toMatchObject({ status: 'rejected', resend: false })
    const response = await resend(registered, { selfie: TINY_PNG_BASE64 })
    expect(response.status).toBe(422)
    expect(response.text).toMatch(/hard reject/)
    expect(await statusData(registered)).toMatchObject({ status: 'rejected' })
  })

  it('refuses a registration that is not rejected with 422', async () => {
    const verified = await decided('3174012345678900')
    expect((await resend(verified, { name: 'Siti' })).status).toBe(422)

    const waiting = await registerWith(client, registerBody('privy_ra'))
    expect((await resend(waiting, { name: 'Siti' })).status).toBe(422)
  })

  it('needs at least one corrected field, each valid as in register', async () => {
    const registered = await decided('3174012345670001')
    const empty = await resend(registered, {})
    expect(empty.status).toBe(422)
    expect(empty.text).toMatch(/at least one corrected field/)

    const badNik = await resend(registered, { nik: '317401234567' })
    expect(badNik.json).toMatchObject({ error: { errors: [{ field: 'nik' }] } })
    const badImage = await resend(registered, { identity: Buffer.from('%PDF-1.7').toString('base64') })
    expect(badImage.json).toMatchObject({ error: { errors: [{ field: 'identity' }] } })
    const misspelt = await resend(registered, { ktp: TINY_PNG_BASE64 })
    // Both problems at once: the misspelt key and, because of it, no corrected field.
    expect(misspelt.json).toMatchObject({
      error: {
        errors: [{ field: 'ktp' }, { field: 'body', messages: [expect.stringMatching(/at least one/)] }],
      },
    })
    expect((await resend(registered, { dob: '1990-02-30' })).status).toBe(422)
    expect(await statusData(registered)).toMatchObject({ status: 'rejected' })
  })

  it('answers 404 for a wrong register_token', async () => {
    const registered = await decided('3174012345670001')
    expect((await resend({ ...registered, register_token: 'wrong' }, { name: 'Siti' })).status).toBe(404)
  })
})
