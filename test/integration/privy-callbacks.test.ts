import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV_PII_KEYS } from '../../src/config/config.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { CALLBACK_BODY_LIMIT } from '../../src/modules/privy-callbacks/callback.routes.js'
import { callbackBodyContext } from '../../src/modules/privy-callbacks/callback.service.js'
import { signatureOfBytes } from '../../src/modules/privy-callbacks/callback.signature.js'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { getRegistration, register, registerLanding } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'
import { registerTokenOf } from '../helpers/privy-tokens.js'

/**
 * Receiving Privy callbacks (contract §6) over real HTTP, on a real database, from the real
 * simulator and from hand-made deliveries: stored (encrypted), verified over the bytes sent,
 * deduplicated, applied through the forward-only state machines, bad ones kept for inspection.
 */

let token: string

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken('user-callbacks')
  await gateway.enableCallbacks()
})

async function postRaw(raw: string | Buffer, headers: Record<string, string>) {
  const response = await request(`${gateway.url}/v1/privy/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  })
  const text = await response.body.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  return { status: response.statusCode, text, json: json as any, headers: response.headers }
}

const postCallback = (body: unknown, headers: Record<string, string>) =>
  postRaw(JSON.stringify(body), headers)

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

/** Signed over the bytes as they are, for bodies that are not (or not only) JSON. */
const signedBytes = (raw: string | Buffer) => {
  const timestamp = privyTimestamp(new Date())
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')
  return { timestamp, signature: signatureOfBytes(DEV_CREDENTIALS, timestamp, bytes) }
}

const storedFor = (referenceNumber: string) =>
  gateway.database.prisma.privyCallback.findMany({
    where: { referenceNumber },
    orderBy: { receivedAt: 'asc' },
  })

async function registrationUpdates(registrationId: string, status: string): Promise<number> {
  const events = await gateway.database.prisma.webhookEvent.findMany({
    where: { resourceId: registrationId, type: 'registration.updated' },
  })
  return events.filter((event) => (event.payload as { data: { status: string } }).data.status === status)
    .length
}

const verifiedLater = (overrides: Record<string, unknown> = {}) =>
  register(gateway, { token }, { phone_verified: true, ...overrides })
/** The gateway's stored copy, without asking Privy. */
const stored = (id: string) => getRegistration(gateway, { token }, id)

/** A landing-page registration (status pending): cheap, and any later status is a forward move. */
const landingRegistration = () => registerLanding(gateway, { token })

describe('POST /v1/privy/callbacks', () => {
  it('refuses a forged, stale or unsigned callback with 401 and applies nothing, but keeps it', async () => {
    const registration = await verifiedLater()
    const body = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', privy_id: 'FORGED1' },
    }
    const forged = await postCallback(body, signed(body, 'not-the-secret'))
    expect(forged.status).toBe(401)
    expect(forged.json).toMatchObject({ code: 'UNAUTHENTICATED', detail: 'The Signature does not match' })
    expect(forged.text).not.toContain(signed(body).signature.slice(0, 16))
    const stale = await postCallback(
      body,
      signed(body, DEV_CREDENTIALS.apiSecret, new Date(Date.now() - 6 * 60_000)),
    )
    expect(stale.status).toBe(401)
    const unsigned = await postCallback(body, {})
    expect(unsigned.status).toBe(401)
    const tampered = await postCallback({ ...body, data: { ...body.data, privy_id: 'OTHER' } }, signed(body))
    expect(tampered.status).toBe(401)
    const shown = await stored(registration.id)
    expect(shown).toMatchObject({ status: 'waiting_verification', privy_id: null })

    // The forged, the stale and the unsigned copy are the same bytes: kept once, with the first reason.
    const kept = await storedFor(registration.reference_number)
    expect(kept.map((row) => [row.state, row.signatureValid, row.error])).toEqual([
      ['rejected', false, 'The Signature does not match'],
      ['rejected', false, 'The Signature does not match'],
    ])
    expect(
      kept.every((row) => row.processedAt !== null && row.attempts === 0 && row.event === 'register'),
    ).toBe(true)
    // Kept as evidence without the body: anyone can send these, and they must not fill the disk.
    expect(kept.every((row) => row.bodyEncrypted.length === 0 && row.sizeBytes > 0)).toBe(true)
  })

  it('a rejected copy never blocks the genuine delivery of the same bytes', async () => {
    const registration = await landingRegistration()
    const body = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'waiting_verification' },
    }
    // Privy's first attempt arrived with a clock too far off; its retry carries a fresh Timestamp.
    const late = await postCallback(
      body,
      signed(body, DEV_CREDENTIALS.apiSecret, new Date(Date.now() - 10 * 60_000)),
    )
    expect(late.status).toBe(401)
    const retry = await postCallback(body, signed(body))
    expect(retry.json).toEqual({ received: true, applied: true, duplicate: false })
    const rows = await storedFor(registration.reference_number)
    expect(rows.map((row) => [row.signatureValid, row.state]).sort()).toEqual([
      [false, 'rejected'],
      [true, 'applied'],
    ])
    expect(rows.find((row) => !row.signatureValid)?.error).toBe(
      'The Timestamp is more than 5 minutes away from the gateway clock',
    )
  })

  it('stores a callback body encrypted: no email or phone anywhere in its row', async () => {
    const email = 'rahasia.callback@example.co.id'
    const phone = '6281377788899'
    const registration = await verifiedLater({ email, phone })
    await gateway.sim('POST', `/__sim/registrations/${registration.reference_number}/verify`, {})
    const verified = await eventually(
      () => stored(registration.id),
      (value) => value.status === 'verified',
    )
    expect(verified.status).toBe('verified')
    const [row] = await storedFor(registration.reference_number)
    expect(row).toMatchObject({ state: 'applied', signatureValid: true, event: 'register', attempts: 1 })

    const asText = await gateway.database.prisma.$queryRaw<Array<{ row: string }>>`
      SELECT t::text AS row FROM privy_callbacks t WHERE t.reference_number = ${registration.reference_number}`
    expect(asText).toHaveLength(1)
    for (const secret of [email, phone, 'rahasia']) {
      expect(asText[0]?.row).not.toContain(secret)
      expect(asText[0]?.row).not.toContain(Buffer.from(secret).toString('hex'))
      expect(Buffer.from(row?.bodyEncrypted ?? []).includes(secret)).toBe(false)
    }
    // …yet it is the body Privy sent, for whoever holds the key.
    const pii = createPiiCipher({
      active: piiKeyFromBase64(DEV_PII_KEYS.encryptionKey),
      lookupKey: Buffer.from(DEV_PII_KEYS.lookupKey, 'base64'),
    })
    const opened = pii.open(
      { keyId: row?.bodyKeyId ?? '', data: Buffer.from(row?.bodyEncrypted ?? []) },
      callbackBodyContext(row?.id ?? ''),
    )
    expect(JSON.parse(opened.toString('utf8'))).toMatchObject({
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', email, phone },
    })
    expect(row?.sizeBytes).toBe(opened.length)
    expect(gateway.logs.text()).not.toContain(email)
    expect(gateway.logs.text()).not.toContain(phone)
  })

  it('the same callback delivered many times at once is stored and applied once', async () => {
    const registration = await landingRegistration()
    const body = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', privy_id: 'PRIVYDUP1' },
    }
    const answers = await Promise.all(Array.from({ length: 12 }, () => postCallback(body, signed(body))))
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    const firsts = answers.filter((answer) => !answer.json.duplicate)
    expect(firsts.map((answer) => answer.json)).toEqual([{ received: true, applied: true, duplicate: false }])
    expect(answers.filter((answer) => answer.json.duplicate).map((answer) => answer.json.applied)).toEqual(
      Array.from({ length: 11 }, () => false),
    )
    const rows = await storedFor(registration.reference_number)
    expect(rows.map((row) => [row.state, row.attempts])).toEqual([['applied', 1]])
    expect(await registrationUpdates(registration.id, 'verified')).toBe(1)

    // A late copy, redelivered later still: a duplicate too.
    const again = await postCallback(body, signed(body))
    expect(again.json).toEqual({ received: true, applied: false, duplicate: true })
  })

  it('an older status arriving after a newer one is stored as ignored and changes nothing', async () => {
    const registration = await landingRegistration()
    const verified = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'verified', privy_id: 'PRIVYOOO1' },
    }
    const older = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'waiting_verification' },
    }
    expect((await postCallback(verified, signed(verified))).json.applied).toBe(true)
    expect((await postCallback(older, signed(older))).json).toEqual({
      received: true,
      applied: false,
      duplicate: false,
    })
    const rows = await storedFor(registration.reference_number)
    expect(rows.map((row) => row.state)).toEqual(['applied', 'ignored'])
    expect(rows[1]?.error).toMatch(/^Not a forward move/)
    const shown = await stored(registration.id)
    expect(shown).toMatchObject({ status: 'verified', privy_id: 'PRIVYOOO1' })
    expect(await registrationUpdates(registration.id, 'waiting_verification')).toBe(0)
  })

  it('a genuine callback the gateway cannot use is refused with 422, kept once as failed, never applied', async () => {
    const registration = await verifiedLater()
    const teleported = {
      event: 'register',
      data: { reference_number: registration.reference_number, status: 'teleported' },
    }
    // 422 naming the field: Privy retries a non-2xx with the same bytes, and each retry costs nothing.
    for (let retry = 0; retry < 3; retry += 1) {
      const refused = await postCallback(teleported, signed(teleported))
      expect(refused.status, refused.text).toBe(422)
      expect(refused.headers['content-type']).toContain('application/problem+json')
      expect(refused.json).toMatchObject({
        code: 'UNPROCESSABLE',
        errors: [{ path: 'data.status', message: expect.any(String) }],
      })
    }
    const [failed, ...more] = await storedFor(registration.reference_number)
    expect(more).toEqual([])
    expect(failed).toMatchObject({ state: 'failed', signatureValid: true, malformed: true, attempts: 1 })
    expect(failed?.error).toContain('data.status')
    const shown = await stored(registration.id)
    expect(shown.status).toBe('waiting_verification')

    const unknown = { event: 'register', data: { reference_number: 'REG-UNKNOWN', status: 'verified' } }
    expect((await postCallback(unknown, signed(unknown))).json).toEqual({
      received: true,
      applied: false,
      duplicate: false,
    })
    expect((await storedFor('REG-UNKNOWN')).map((row) => row.state)).toEqual(['ignored'])

    // An event the contract does not know is not in its formats either.
    const payment = { event: 'payment', data: { reference_number: 'PAY-0001', status: 'paid' } }
    const paid = await postCallback(payment, signed(payment))
    expect(paid.status).toBe(422)
    expect(paid.json.errors).toEqual([{ path: 'event', message: 'must be one of register, document' }])
    expect((await storedFor('PAY-0001')).map((row) => [row.state, row.malformed])).toEqual([['failed', true]])

    const cases: Array<[string | Buffer, string, string]> = [
      ['not json at all', 'The body is not JSON', '(body)'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x7b]), 'The body is not JSON', '(body)'],
      ['[{"event":"register"}]', 'The body is not a JSON object', '(body)'],
      ['{"data":{"reference_number":"REG-NO-EVENT"}}', 'Not a Privy callback: event: ', 'event'],
      ['{"event":"document","data":"REG-FLAT"}', 'Not a Privy callback: data: ', 'data'],
    ]
    for (const [raw, reason, path] of cases) {
      const answer = await postRaw(raw, signedBytes(raw))
      expect(answer.status, answer.text).toBe(422)
      expect(answer.json.errors[0].path).toBe(path)
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
      const rows = await gateway.database.prisma.privyCallback.findMany({
        where: { sizeBytes: bytes.length },
      })
      const stored = rows.find((row) => row.error?.startsWith(reason))
      expect(stored, `${String(raw)}: ${JSON.stringify(rows.map((row) => row.error))}`).toMatchObject({
        state: 'failed',
        signatureValid: true,
      })
    }
  })

  it('refuses a body over the limit unread (413) and keeps nothing of it', async () => {
    const before = await gateway.database.prisma.privyCallback.count()
    const body = {
      event: 'register',
      data: { reference_number: 'REG-HUGE', status: 'verified', padding: 'x'.repeat(CALLBACK_BODY_LIMIT) },
    }
    const answer = await postCallback(body, signed(body))
    expect(answer.status).toBe(413)
    expect(answer.headers['content-type']).toContain('application/problem+json')
    expect(answer.json.code).toBe('PAYLOAD_TOO_LARGE')
    expect(await gateway.database.prisma.privyCallback.count()).toBe(before)
  })

  it('hostile deliveries: odd headers and content types are judged by the signature alone', async () => {
    const body = { event: 'register', data: { reference_number: 'REG-HOSTILE', status: 'verified' } }
    const raw = JSON.stringify(body)
    const headers = signed(body)
    const attempts = [
      await postRaw(raw, { ...headers, signature: 'A'.repeat(4096) }),
      await postRaw(raw, { ...headers, timestamp: '9999-99-99T99:99:99+07:00' }),
      await postRaw(raw, { ...headers, timestamp: '' }),
      await postRaw(raw, {
        timestamp: headers.timestamp,
        signature: `${headers.signature}, ${headers.signature}`,
      }),
      await postRaw('', {}),
      await postRaw(raw, { ...headers, 'content-type': 'text/plain', signature: 'forged' }),
    ]
    expect(attempts.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 401])
    expect(attempts.every((answer) => answer.json.code === 'UNAUTHENTICATED')).toBe(true)
    const shown = await storedFor('REG-HOSTILE')
    expect(shown.every((row) => row.state === 'rejected' && !row.signatureValid)).toBe(true)
    // Another content type, correctly signed: the bytes are what Privy signed, so it counts.
    const plain = await postRaw(raw, { ...headers, 'content-type': 'text/plain' })
    expect(plain.json).toEqual({ received: true, applied: false, duplicate: false })
    expect(
      (await storedFor('REG-HOSTILE')).filter((row) => row.signatureValid).map((row) => row.state),
    ).toEqual(['ignored'])
    expect(gateway.logs.leaked(gateway.secrets)).toEqual([])
  })

  it('a late copy of the rejection that preceded a resend does not bring the rejection back', async () => {
    const { id, reference_number } = await verifiedLater({ nik: '3171014105900001', dob: '1990-05-01' })
    await gateway.sim('POST', `/__sim/registrations/${reference_number}/verify`, {})
    const rejected = await eventually(
      () => stored(id),
      (registration) => registration.status === 'rejected',
    )
    expect(rejected.can_resend).toBe(true)
    const resent = await (await clientFor(gateway, { token })).registrations
      .resend(id, { name: 'Siti Aminah' })
      .withResponse()
    expect(resent.response.status).toBe(200)

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
    const after = await stored(id)
    expect(after.status).toBe('waiting_verification')

    await gateway.sim('POST', `/__sim/registrations/${reference_number}/verify`, {})
    const verified = await eventually(
      () => stored(id),
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
    const client = await clientFor(gateway, { token })
    const lost = await client.raw.POST('/v1/registrations', {
      body: await fullRegistrationJson({ phone_verified: true }),
    })
    expect(lost.response.status).toBe(504)
    const id = lost.error?.registration_id as string
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(row.submission).toBe('unknown')
    await gateway.sim('POST', `/__sim/registrations/${row.referenceNumber}/verify`, {})
    const settled = await eventually(
      () => stored(id),
      (registration) => registration.status === 'verified',
    )
    expect(settled).toMatchObject({ status: 'verified', next_action: 'none' })
    const adopted = await gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } })
    expect(adopted.submission).toBe('submitted')
    expect(await registerTokenOf(gateway, id)).toBeTruthy()
  })
})
