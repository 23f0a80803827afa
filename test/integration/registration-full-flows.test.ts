import type { GatewayClient, RegistrationRequest, RegistrationResendRequest } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { latestSimOtp, register as registerAs, requestOtp } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { upstreamCount } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor, photo } from '../helpers/identity.js'

let token: string
let user: GatewayClient

const gateway = useGateway({ PRIVY_MERCHANT_RA_ENABLED: 'true' })
beforeAll(async () => {
  token = await gateway.userToken('user-full-flows')
  user = await clientFor(gateway, { token })
})

const register = (overrides: Record<string, unknown> = {}) => registerAs(gateway, { token }, overrides)
const refreshed = (id: string) => user.registrations.get(id, { refresh: true })
const stored = (id: string) => user.registrations.get(id)
const validate = (id: string, code: string) =>
  user.raw.POST('/v1/otp/{id}/validate', { params: { path: { id } }, body: { otp_code: code } })
const resend = (id: string, body: RegistrationResendRequest) =>
  user.raw.POST('/v1/registrations/{id}/resend', { params: { path: { id } }, body })

async function latestCode(referenceNumber: string): Promise<string> {
  const { code } = await latestSimOtp(gateway, { reference_number: referenceNumber })
  expect(code).toMatch(/^\d{6}$/)
  return code
}

describe('flow 1: register with OTP (Privy as RA)', () => {
  it('goes waiting_otp → OTP validated → waiting_verification → verified', async () => {
    const created = await register()
    expect(created).toMatchObject({
      registration_type: 'privy_ra',
      status: 'waiting_otp',
      next_action: 'request_otp',
      registration_url: null,
    })
    const otp = await requestOtp(gateway, { token }, created.id)
    expect(otp).toMatchObject({
      otp_type: 'registration',
      otp_channel: 'sms',
      status: 'active',
      registration_id: created.id,
      requests_left: 2,
      attempts_left: 3,
    })
    expect(Date.parse(otp.expires_at)).toBeGreaterThan(Date.now() + 14 * 60_000)
    expect(Date.parse(otp.resend_available_at)).toBeGreaterThan(Date.now() + 50_000)

    const code = await latestCode(created.reference_number)
    const validated = await validate(otp.id, code)
    expect(validated.response.status, JSON.stringify(validated.error)).toBe(200)
    expect(validated.data?.status).toBe('validated')
    expect(JSON.stringify(validated.data)).not.toContain(code)

    const waiting = await stored(created.id)
    expect(waiting).toMatchObject({ status: 'waiting_verification', next_action: 'wait' })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const verified = await refreshed(created.id)
    expect(verified).toMatchObject({ status: 'verified', next_action: 'none' })
    expect(verified.privy_id).toMatch(/\w+/)
  })
})

describe('flow 2: register without OTP (the merchant verified the phone)', () => {
  it('goes straight to waiting_verification, as multipart with image files', async () => {
    const dob = '1985-12-01'
    const otpSends = () => upstreamCount(gateway, '/web/api/v2/register/otp')
    const sendsBefore = await otpSends()
    const { data: created, response } = await user.registrations
      .createWithFiles({
        registration_type: 'privy_ra',
        name: 'Budi Santoso',
        email: 'budi@example.co.id',
        phone: '6285712345678',
        nik: nikFor(dob),
        dob,
        phone_verified: true,
        ktp: await photo('jpeg'),
        selfie: await photo('jpeg', 600, 800, 3),
      })
      .withResponse()
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(created).toMatchObject({ status: 'waiting_verification', next_action: 'wait' })
    expect(await otpSends()).toBe(sendsBefore)
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    expect((await refreshed(created.id)).status).toBe('verified')
  })
})

describe('flow 3: user verification by Privy, soft and hard reject', () => {
  it('soft reject (RC01) → resend with a new KTP photo only → verified', async () => {
    const dob = '1992-03-04'
    const created = await register({ nik: nikFor(dob, { ending: '0001' }), dob, phone_verified: true })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const rejected = await refreshed(created.id)
    expect(rejected).toMatchObject({
      status: 'rejected',
      can_resend: true,
      next_action: 'resend',
      reject_reason: { code: 'RC01' },
    })

    const newKtp = (await photo('jpeg', 800, 600, 11)).toString('base64')
    const resent = await resend(created.id, { ktp: newKtp })
    expect(resent.response.status, JSON.stringify(resent.error)).toBe(200)
    expect(resent.data).toMatchObject({
      status: 'waiting_verification',
      can_resend: false,
      reject_reason: null,
      next_action: 'wait',
    })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    expect((await refreshed(created.id)).status).toBe('verified')
  })

  it('hard reject (RC09): can_resend false, and a resend answers 409', async () => {
    const dob = '1979-08-09'
    const created = await register({ nik: nikFor(dob, { ending: '0009' }), dob, phone_verified: true })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const rejected = await refreshed(created.id)
    expect(rejected).toMatchObject({ status: 'rejected', can_resend: false, next_action: 'register_again' })
    expect(rejected.reject_reason?.code).toBe('RC09')
    const before = await upstreamCount(gateway, '/web/api/v2/register/resend')
    const resent = await resend(created.id, { name: 'Another Name' })
    expect(resent.response.status).toBe(409)
    expect(resent.error?.code).toBe('REGISTRATION_NOT_RESENDABLE')
    expect(await upstreamCount(gateway, '/web/api/v2/register/resend')).toBe(before)
  })

  it("a resend whose answer is lost is settled from Privy's status, not reported as failed", async () => {
    const dob = '1993-06-07'
    const created = await register({ nik: nikFor(dob, { ending: '0002' }), dob, phone_verified: true })
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    expect((await refreshed(created.id)).status).toBe('rejected')
    await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register/resend',
      kind: 'commit_then_timeout',
      delay_ms: 4000,
    })
    const selfie = (await photo('jpeg', 640, 640, 5)).toString('base64')
    const resent = await resend(created.id, { selfie })
    expect(resent.response.status, JSON.stringify(resent.error)).toBe(200)
    expect(resent.data).toMatchObject({ status: 'waiting_verification', can_resend: false })
  })

  it('a registration that is not rejected cannot be resent', async () => {
    const created = await register({ phone_verified: true })
    const resent = await resend(created.id, { name: 'Siti A' })
    expect(resent.response.status).toBe(409)
    expect(resent.error).toMatchObject({
      code: 'REGISTRATION_NOT_RESENDABLE',
      registration_status: 'waiting_verification',
    })
  })
})

describe('flow 4: registration with the merchant as RA', () => {
  it('is accepted when enabled, with or without OTP', async () => {
    const withOtp = await register({ registration_type: 'merchant_ra' })
    expect(withOtp).toMatchObject({ registration_type: 'merchant_ra', status: 'waiting_otp' })
    const withoutOtp = await register({ registration_type: 'merchant_ra', phone_verified: true })
    expect(withoutOtp.status).toBe('waiting_verification')
    await gateway.sim('POST', `/__sim/registrations/${withoutOtp.reference_number}/verify`, {})
    expect((await refreshed(withoutOtp.id)).status).toBe('verified')
  })
})

describe('callbacks from Privy', () => {
  it('apply a verification without any status read', async () => {
    await gateway.enableCallbacks()
    const created = await register({ phone_verified: true })
    const statusReads = () => upstreamCount(gateway, '/web/api/v2/register/status')
    const readsBefore = await statusReads()
    await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {})
    const shown = await eventually(
      async () => await stored(created.id),
      (read) => read.status === 'verified',
    )
    expect(shown).toMatchObject({ status: 'verified', privy_id: expect.any(String) })
    expect(await statusReads()).toBe(readsBefore)

    // A late, correctly signed callback with an older status does not move it back.
    const stale = await gateway.sim('POST', '/__sim/callbacks/send', {
      reference_number: created.reference_number,
      status_override: 'waiting_verification',
    })
    expect(stale.status).toBeLessThan(300)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await stored(created.id)).status).toBe('verified')
  })
})

describe('identity data stays out of logs and responses', () => {
  it('logs no NIK, date of birth, image bytes or OTP code', async () => {
    const body = await fullRegistrationJson({ nik: nikFor('1991-07-21'), dob: '1991-07-21' })
    const created = await user.raw.POST('/v1/registrations', { body: body as RegistrationRequest })
    expect(created.response.status).toBe(201)
    for (const secret of [body.nik, body.dob]) expect(JSON.stringify(created.data)).not.toContain(secret)
    const otp = await requestOtp(gateway, { token }, created.data?.id ?? '', { otp_channel: 'email' })
    const code = await latestCode(created.data?.reference_number ?? '')
    await validate(otp.id, code)

    const logs = gateway.logs.text()
    expect(logs).not.toContain(String(body.nik))
    expect(logs).not.toContain('1991-07-21')
    expect(logs).not.toContain(code)
    expect(logs).not.toContain(String(body.ktp).slice(0, 40))
    expect(logs).not.toMatch(/\/9j\/4AAQ|iVBORw0KGgo/) // JPEG and PNG base64 openings
    expect(gateway.logs.leaked(gateway.secrets)).toEqual([])
  })
})
