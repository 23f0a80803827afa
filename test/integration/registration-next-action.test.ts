import type { GatewayClient } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { getRegistration, register as registerAs, requestOtp } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { useGateway } from '../helpers/gateway.js'
import { nikFor } from '../helpers/identity.js'

// `next_action` in every state of docs/flows.md#registration-state-machine: the app does what it says,
// so it must never say `validate_otp` before a code exists, nor `none` (as for verified) after a hard
// reject. The submission states (`wait` while unknown, `register_again` once unresolved) are walked in
// unknown-outcomes.test.ts.

const gateway = useGateway()
let token: string
let client: GatewayClient
beforeAll(async () => {
  token = await gateway.userToken('user-next-action')
  client = await clientFor(gateway, { token })
})

const register = (overrides: Record<string, unknown> = {}) => registerAs(gateway, { token }, overrides)

async function nextAction(id: string): Promise<{ status: string; next_action: string }> {
  const read = await getRegistration(gateway, { token }, id, { refresh: true })
  const listed = await client.raw.GET('/v1/registrations', { params: { query: { limit: 100 } } })
  const inList = listed.data?.data.find((item) => item.id === id)
  // The list says the same as the registration itself.
  expect(inList?.next_action).toBe(read.next_action)
  return { status: read.status, next_action: read.next_action }
}

async function sendOtp(registrationId: string) {
  return (await requestOtp(gateway, { token }, registrationId)).id
}

async function codeOf(referenceNumber: string): Promise<string> {
  const otps = await gateway.sim('GET', `/__sim/otps?reference_number=${referenceNumber}`)
  return otps.json.otps.at(-1).code
}

describe('next_action walks the registration state machine', () => {
  it('landing page: pending → open_registration_url; finished → wait; verified → none', async () => {
    const created = await registerAs(
      gateway,
      { token },
      {
        registration_type: 'landing_page',
        nik: undefined,
        dob: undefined,
        ktp: undefined,
        selfie: undefined,
        phone_verified: undefined,
      },
    )
    expect(created).toMatchObject({ status: 'pending', next_action: 'open_registration_url' })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/finish-landing`)
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_verification', next_action: 'wait' })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    expect(await nextAction(created.id)).toEqual({ status: 'verified', next_action: 'none' })
  })

  it('with an OTP: request_otp → validate_otp → (locked) request_otp → validate_otp → wait → none', async () => {
    const created = await register({ email: 'walk@example.co.id', phone: '6281311112222' })
    // Before any OTP exists: send one first, there is no code to type.
    expect(created).toMatchObject({ status: 'waiting_otp', next_action: 'request_otp' })
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_otp', next_action: 'request_otp' })

    const first = await sendOtp(created.id)
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_otp', next_action: 'validate_otp' })

    // Three wrong codes lock it: no code can be typed any more, a new OTP is needed.
    const right = await codeOf(created.reference_number)
    const wrong = right === '111111' ? '222222' : '111111'
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await client.raw.POST('/v1/otp/{id}/validate', {
        params: { path: { id: first } },
        body: { otp_code: wrong },
      })
      expect([422, 423]).toContain(answer.response.status)
    }
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_otp', next_action: 'request_otp' })

    const second = await sendOtp(created.id)
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_otp', next_action: 'validate_otp' })
    const validated = await client.otp.validate(second, await codeOf(created.reference_number)).withResponse()
    expect(validated.response.status).toBe(200)
    expect(await nextAction(created.id)).toEqual({ status: 'waiting_verification', next_action: 'wait' })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    expect(await nextAction(created.id)).toEqual({ status: 'verified', next_action: 'none' })
  })

  it('an expired OTP: request_otp again', async () => {
    const created = await register({ email: 'expire@example.co.id', phone: '6281311113333' })
    await sendOtp(created.id)
    expect((await nextAction(created.id)).next_action).toBe('validate_otp')
    gateway.clock.advance(16 * 60_000)
    try {
      expect(await nextAction(created.id)).toEqual({ status: 'waiting_otp', next_action: 'request_otp' })
    } finally {
      gateway.clock.advance(-16 * 60_000)
    }
  })

  it('soft reject → resend; hard reject → register_again (never none, which means verified)', async () => {
    const soft = await register({
      nik: nikFor('1992-03-04', { ending: '0002' }),
      dob: '1992-03-04',
      phone_verified: true,
    })
    expect(soft.next_action).toBe('wait')
    await gateway.sim('POST', `/__sim/registrations/${soft.reference_number}/verify`, {})
    expect(await nextAction(soft.id)).toEqual({ status: 'rejected', next_action: 'resend' })

    const hard = await register({
      nik: nikFor('1979-08-09', { ending: '0009' }),
      dob: '1979-08-09',
      phone_verified: true,
    })
    await gateway.sim('POST', `/__sim/registrations/${hard.reference_number}/verify`, {})
    expect(await nextAction(hard.id)).toEqual({ status: 'rejected', next_action: 'register_again' })
  })
})
