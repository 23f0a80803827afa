import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { getRegistration, registerLanding } from '../helpers/api.js'
import {
  callbackStoreBytes,
  inParallel,
  paddedVariants,
  postCallbackBytes,
  signedHeaders,
} from '../helpers/callbacks.js'
import { useGateway } from '../helpers/gateway.js'

/**
 * §2.3's canonical form drops every whitespace character, in string values too, so whitespace can be
 * added to a genuine callback without breaking its signature. Over real HTTP, on a real database:
 * padded replays of a stored callback are duplicates (stored and applied once, the database does not
 * grow), and a padded value is refused before anything is applied, so the genuine callback after it
 * still is.
 */

let token: string

const gateway = useGateway()
beforeAll(async () => {
  token = await gateway.userToken('user-callbacks-canonical')
})

const landingRegistration = () => registerLanding(gateway, { token })

const rowsOf = (referenceNumber: string) =>
  gateway.database.prisma.privyCallback.findMany({
    where: { referenceNumber },
    orderBy: { receivedAt: 'asc' },
  })

async function updatesTo(registrationId: string, status: string): Promise<number> {
  const events = await gateway.database.prisma.webhookEvent.findMany({
    where: { resourceId: registrationId, type: 'registration.updated' },
  })
  return events.filter((event) => (event.payload as { data: { status: string } }).data.status === status)
    .length
}

const verifiedCallback = (referenceNumber: string, privyId: string) => ({
  event: 'register',
  data: {
    reference_number: referenceNumber,
    channel_id: 'CH-SIM',
    status: 'verified',
    privy_id: privyId,
    updated_at: new Date().toISOString(),
  },
})

describe('callbacks are what their canonical form says', () => {
  it('300 replays of one genuine callback, each padded differently, are one row, applied once', async () => {
    const registration = await landingRegistration()
    const body = verifiedCallback(registration.reference_number, 'PRIVYPAD01')
    const headers = signedHeaders(body)
    const genuine = await postCallbackBytes(gateway.url, JSON.stringify(body), headers)
    expect(genuine.json).toEqual({ received: true, applied: true, duplicate: false })
    const before = await callbackStoreBytes(gateway.database.prisma)

    // The attacker has the genuine bytes and headers, not the secret: the same Timestamp and
    // Signature on 300 bodies padded between tokens, inside values, and up to the body limit.
    const variants = paddedVariants(body, 300)
    expect(new Set(variants).size).toBe(300)
    const answers = await inParallel(
      8,
      variants.map((raw) => () => postCallbackBytes(gateway.url, raw, headers)),
    )
    const outcomes = answers.map((answer) => `${answer.status} ${JSON.stringify(answer.json)}`)
    expect(new Set(outcomes)).toEqual(new Set(['200 {"received":true,"applied":false,"duplicate":true}']))

    const rows = await rowsOf(registration.reference_number)
    expect(rows.map((row) => [row.state, row.attempts, row.malformed])).toEqual([['applied', 1, false]])
    expect(await updatesTo(registration.id, 'verified')).toBe(1)
    const shown = await getRegistration(gateway, { token }, registration.id)
    expect(shown).toMatchObject({ status: 'verified', privy_id: 'PRIVYPAD01' })
    // 300 bodies of up to 60 KB each (about 4.5 MB sent): not a byte of them kept.
    const sent = variants.reduce((total, raw) => total + Buffer.byteLength(raw), 0)
    expect(sent).toBeGreaterThan(3_000_000)
    expect(await callbackStoreBytes(gateway.database.prisma)).toEqual(before)
  })

  it('a padded privy_id is refused before anything is applied, and the genuine callback after it is applied', async () => {
    const registration = await landingRegistration()
    const body = verifiedCallback(registration.reference_number, 'PRIVY01')
    const compact = JSON.stringify(body)
    const headers = signedHeaders(body)
    const padded = [' PRIVY01', 'PRIVY 01', 'PRIVY\u00a001', 'PRIVY\u300001', 'PRIVY01\u2003'].map((value) =>
      compact.replace('"PRIVY01"', JSON.stringify(value)),
    )
    for (const raw of padded) {
      const refused = await postCallbackBytes(gateway.url, raw, headers)
      expect(refused.status, refused.text).toBe(422)
      expect(refused.json).toMatchObject({
        code: 'UNPROCESSABLE',
        errors: [{ path: 'data.privy_id', message: expect.stringContaining('no whitespace') }],
      })
    }
    const untouched = await getRegistration(gateway, { token }, registration.id)
    expect(untouched).toMatchObject({ status: 'pending', privy_id: null })
    expect(await updatesTo(registration.id, 'verified')).toBe(0)
    // One canonical form: kept once, as refused, never applied.
    const refusedRows = await rowsOf(registration.reference_number)
    expect(refusedRows.map((row) => [row.state, row.malformed, row.signatureValid])).toEqual([
      ['failed', true, true],
    ])

    // Privy's genuine delivery of the same callback is not a duplicate of the refused copies.
    const genuine = await postCallbackBytes(gateway.url, compact, headers)
    expect(genuine.json).toEqual({ received: true, applied: true, duplicate: false })
    const verified = await getRegistration(gateway, { token }, registration.id)
    expect(verified).toMatchObject({ status: 'verified', privy_id: 'PRIVY01' })
    expect(await updatesTo(registration.id, 'verified')).toBe(1)

    // Once it is stored, the padded copies are replays of it: duplicates, nothing applied or kept.
    for (const raw of padded) {
      expect((await postCallbackBytes(gateway.url, raw, headers)).json).toEqual({
        received: true,
        applied: false,
        duplicate: true,
      })
    }
    expect((await rowsOf(registration.reference_number)).map((row) => row.state).sort()).toEqual([
      'applied',
      'failed',
    ])
    expect(await updatesTo(registration.id, 'verified')).toBe(1)
  })

  it('a padded reject reason, token or reference is refused too, and nothing moves', async () => {
    const registration = await landingRegistration()
    const rejected = (data: Record<string, unknown>) => ({
      event: 'register',
      data: {
        reference_number: registration.reference_number,
        status: 'rejected',
        reject_reason: { code: 'RC09', reason: 'phone already tied to another Privy account' },
        resend: false,
        ...data,
      },
    })
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ reject_reason: { code: 'RC09', reason: 'phone  already tied' } }, 'data.reject_reason.reason'],
      [{ reject_reason: { code: 'RC\u00a009', reason: 'x' } }, 'data.reject_reason.code'],
      [{ register_token: 'tok en' }, 'data.register_token'],
      [{ reference_number: `${registration.reference_number} ` }, 'data.reference_number'],
      [{ status: 'rejected\u3000' }, 'data.status'],
    ]
    for (const [data, path] of cases) {
      const body = rejected(data)
      const refused = await postCallbackBytes(gateway.url, JSON.stringify(body), signedHeaders(body))
      expect(refused.status, refused.text).toBe(422)
      expect(refused.json.errors.map((error: { path: string }) => error.path)).toEqual([path])
    }
    const shown = await getRegistration(gateway, { token }, registration.id)
    expect(shown).toMatchObject({ status: 'pending', reject_reason: null })
  })

  it("a forged callback's padded copies are kept once", async () => {
    const body = { event: 'register', data: { reference_number: 'REG-FORGED-PAD', status: 'verified' } }
    const answers = await inParallel(
      4,
      paddedVariants(body, 20).map(
        (raw) => () =>
          postCallbackBytes(gateway.url, raw, { timestamp: new Date().toISOString(), signature: 'Zm9yZ2Vk' }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 401))
    // All of them share one canonical form (the bytes without whitespace): one row, whichever came first.
    const canonicalSha256 = createHash('sha256').update(JSON.stringify(body)).digest('hex')
    const rows = await gateway.database.prisma.privyCallback.findMany({ where: { signatureValid: false } })
    expect(rows.map((row) => [row.state, row.canonicalSha256])).toEqual([['rejected', canonicalSha256]])
  })
})
