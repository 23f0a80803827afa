import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { signatureOfBytes } from '../../src/modules/privy-callbacks/callback.signature.js'
import { privyTimestamp } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { getDocument, uploadRaw } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import {
  a4Pdf,
  type SignerUser,
  signatureAt,
  simDocumentOf,
  uploadBody,
  verifiedUser,
} from '../helpers/documents.js'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'

/**
 * Operator inspection of stored Privy callbacks (`GET /v1/privy/callbacks`) and reapply
 * (`POST /v1/privy/callbacks/{id}/reapply`): X-API-Key only, metadata only, rejected ones never
 * applied. Background jobs are off, so every state seen here was reached by a request.
 */

let userToken: string
const operator = { apiKey: TEST_API_KEY }
const reference = `REG-OPS-${randomUUID().slice(0, 8).toUpperCase()}`
const ids: Record<'applied' | 'rejected' | 'failed' | 'ignored', string> = {
  applied: '',
  rejected: '',
  failed: '',
  ignored: '',
}

async function deliver(raw: string, secret: string = DEV_CREDENTIALS.apiSecret) {
  const timestamp = privyTimestamp(new Date())
  const signature = signatureOfBytes(
    { apiKey: DEV_CREDENTIALS.apiKey, apiSecret: secret },
    timestamp,
    Buffer.from(raw, 'utf8'),
  )
  const response = await request(`${gateway.url}/v1/privy/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', timestamp, signature },
    body: raw,
  })
  const text = await response.body.text()
  return { status: response.statusCode, json: JSON.parse(text) }
}

async function idOf(where: {
  referenceNumber?: string
  state?: 'applied' | 'rejected' | 'failed' | 'ignored'
}) {
  const row = await gateway.database.prisma.privyCallback.findFirstOrThrow({
    where,
    orderBy: { receivedAt: 'desc' },
  })
  return row.id
}

const gateway = useGateway({ BACKGROUND_JOBS_ENABLED: 'false' })
beforeAll(async () => {
  userToken = await gateway.userToken('callbacks-operator-user')
  const landing = await (await clientFor(gateway, { token: userToken })).registrations.create({
    registration_type: 'landing_page',
    name: 'Dewi Lestari',
    email: 'dewi.ops@example.co.id',
    phone: '6281299988877',
  })
  const verified = JSON.stringify({
    event: 'register',
    data: { reference_number: landing.reference_number, status: 'verified', privy_id: 'PRIVYOPS1' },
  })
  expect((await deliver(verified)).json.applied).toBe(true)
  ids.applied = await idOf({ referenceNumber: landing.reference_number, state: 'applied' })
  expect((await deliver(verified, 'wrong-secret')).status).toBe(401)
  ids.rejected = await idOf({ referenceNumber: landing.reference_number, state: 'rejected' })
  await deliver(`this is not json ${randomUUID()}`)
  ids.failed = await idOf({ state: 'failed' })
  await deliver(
    JSON.stringify({ event: 'register', data: { reference_number: reference, status: 'verified' } }),
  )
  ids.ignored = await idOf({ referenceNumber: reference, state: 'ignored' })
})

const list = (query = '', auth: { apiKey?: string; token?: string } = operator) =>
  gateway.call('GET', `/v1/privy/callbacks${query}`, auth)
const reapply = (id: string, auth: { apiKey?: string; token?: string } = operator) =>
  gateway.call('POST', `/v1/privy/callbacks/${id}/reapply`, auth)

const METADATA_KEYS = [
  'attempts',
  'error',
  'event',
  'id',
  'processed_at',
  'received_at',
  'reference_number',
  'signature_valid',
  'size_bytes',
  'state',
]

describe('operator access', () => {
  it('answers 401 without credentials or with a wrong key, and 404 to an end user', async () => {
    for (const answer of [await list('', {}), await reapply(ids.failed, {})]) {
      expect(answer.status).toBe(401)
      expect(answer.json.code).toBe('UNAUTHENTICATED')
    }
    for (const answer of [
      await list('', { apiKey: 'ops_wrong' }),
      await reapply(ids.failed, { apiKey: 'x' }),
    ]) {
      expect(answer.status).toBe(401)
    }
    for (const answer of [
      await list('', { token: userToken }),
      await list(`?reference_number=${reference}`, { token: userToken }),
      await list('?limit=0&state=nope', { token: userToken }),
      await reapply('not-a-uuid', { token: userToken }),
      await reapply(ids.failed, { token: userToken }),
    ]) {
      expect(answer.status).toBe(404)
      expect(answer.json.code).toBe('ROUTE_NOT_FOUND')
    }
    expect(
      (await gateway.database.prisma.privyCallback.findUniqueOrThrow({ where: { id: ids.failed } })).attempts,
    ).toBe(1)
  })
})

describe('GET /v1/privy/callbacks', () => {
  it('lists metadata only, newest first, filtered by reference number and state', async () => {
    const all = await list()
    expect(all.status, all.text).toBe(200)
    expect(all.json.data.length).toBeGreaterThanOrEqual(4)
    for (const item of all.json.data) expect(Object.keys(item).sort()).toEqual(METADATA_KEYS)
    // The bodies named a privy_id, an email and a phone: none of it is listed.
    for (const secret of ['PRIVYOPS1', 'dewi.ops', '6281299988877', 'this is not json']) {
      expect(all.text).not.toContain(secret)
    }
    const received = all.json.data.map((item: { received_at: string }) => item.received_at)
    expect([...received].sort().reverse()).toEqual(received)

    const rejected = await list('?state=rejected')
    expect(rejected.json.data.map((item: { id: string }) => item.id)).toContain(ids.rejected)
    expect(rejected.json.data.every((item: { state: string }) => item.state === 'rejected')).toBe(true)
    expect(rejected.json.data.find((item: { id: string }) => item.id === ids.rejected)).toMatchObject({
      signature_valid: false,
      error: 'The Signature does not match',
      event: 'register',
      attempts: 0,
    })

    const byReference = await list(`?reference_number=${reference}`)
    expect(byReference.json).toEqual({
      data: [
        {
          id: ids.ignored,
          event: 'register',
          reference_number: reference,
          state: 'ignored',
          signature_valid: true,
          error: expect.stringMatching(/^Not a forward move/),
          size_bytes: expect.any(Number),
          attempts: 1,
          received_at: expect.any(String),
          processed_at: expect.any(String),
        },
      ],
      next_cursor: null,
    })
  })

  it('pages with a cursor until next_cursor is null', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 20; page += 1) {
      const answer = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      expect(answer.status, answer.text).toBe(200)
      expect(answer.json.data.length).toBeLessThanOrEqual(1)
      seen.push(...answer.json.data.map((item: { id: string }) => item.id))
      cursor = answer.json.next_cursor
      if (!cursor) break
    }
    expect(cursor).toBeNull()
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expect.arrayContaining(Object.values(ids)))
  })

  it('refuses bad queries with 400', async () => {
    const bad = [
      '?limit=0',
      '?limit=101',
      '?limit=abc',
      '?state=deleted',
      '?state=',
      '?cursor=not-a-cursor',
      `?cursor=${Buffer.from('2026-01-01T00:00:00.000Z|1 OR 1=1').toString('base64url')}`,
      `?cursor=${'A'.repeat(300)}`,
      `?reference_number=${'R'.repeat(65)}`,
      '?reference_number=',
      '?body=true',
    ]
    for (const query of bad) {
      const answer = await list(query)
      expect(answer.status, `${query}: ${answer.text}`).toBe(400)
      expect(answer.json.code).toBe('VALIDATION_FAILED')
    }
    const hostile = await list(`?reference_number=${encodeURIComponent("x' OR '1'='1")}`)
    expect(hostile.json).toEqual({ data: [], next_cursor: null })
  })
})

describe('POST /v1/privy/callbacks/{id}/reapply', () => {
  it('never applies a rejected callback, nor an applied one again', async () => {
    const rejected = await reapply(ids.rejected)
    expect(rejected.status).toBe(409)
    expect(rejected.json).toMatchObject({ code: 'CALLBACK_NOT_REAPPLICABLE', callback_state: 'rejected' })
    const applied = await reapply(ids.applied)
    expect(applied.status).toBe(409)
    expect(applied.json).toMatchObject({ code: 'CALLBACK_NOT_REAPPLICABLE', callback_state: 'applied' })
    const rows = await gateway.database.prisma.privyCallback.findMany({
      where: { id: { in: [ids.rejected, ids.applied] } },
    })
    expect(rows.map((row) => row.attempts).sort()).toEqual([0, 1])
  })

  it('pushes a failed or ignored one through again and answers how it stands', async () => {
    const failed = await reapply(ids.failed)
    expect(failed.status, failed.text).toBe(200)
    expect(failed.json).toMatchObject({
      id: ids.failed,
      state: 'failed',
      attempts: 2,
      error: 'The body is not JSON',
    })
    const ignored = await reapply(ids.ignored)
    expect(ignored.status, ignored.text).toBe(200)
    expect(ignored.json).toMatchObject({ id: ids.ignored, state: 'ignored', attempts: 2 })
  })

  it('refuses ids that are not callback ids', async () => {
    for (const id of [
      'not-a-uuid',
      encodeURIComponent("1'; DROP TABLE privy_callbacks;--"),
      '0'.repeat(99),
    ]) {
      const answer = await reapply(id)
      expect(answer.status, `${id}: ${answer.text}`).toBe(400)
      expect(answer.json.code).toBe('VALIDATION_FAILED')
    }
    // Over the router's parameter limit: refused before any handler (by Fastify's router, as on every route).
    expect((await reapply('0'.repeat(300))).status).toBe(414)
    // A dot-dot segment is resolved by the URL itself and lands on no route.
    const traversal = await reapply('%2e%2e')
    expect(traversal.status).toBe(404)
    expect(traversal.json.code).toBe('ROUTE_NOT_FOUND')
    const unknown = await reapply(randomUUID())
    expect(unknown.status).toBe(404)
    expect(unknown.json.code).toBe('NOT_FOUND')
    expect(await gateway.database.prisma.privyCallback.count()).toBeGreaterThanOrEqual(4)
  })

  it('applies a callback that was ignored while the gateway could not place it', async () => {
    const alice: SignerUser = await verifiedUser(gateway, 'callbacks-ops-alice')
    const officer = await gateway.userToken('callbacks-ops-officer')
    // Privy takes the upload, but its answer cannot be read: the gateway does not know the token yet.
    const fault = { path: '/web/api/v2/doc-signing', kind: 'malformed_json', times: 1 }
    expect((await gateway.sim('POST', '/__sim/faults', fault)).status).toBe(201)
    const lost = await uploadRaw(
      await clientFor(gateway, { token: officer }),
      uploadBody(await a4Pdf(2), {
        title: 'Reapplied callback',
        signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }],
      }),
    )
    expect(lost.status, lost.text).toBe(502)
    const documentId = lost.error?.document_id as string
    const { referenceNumber } = await gateway.database.prisma.document.findUniqueOrThrow({
      where: { id: documentId },
    })
    const upstream = await simDocumentOf(gateway, referenceNumber)
    const signedAt = new Date().toISOString()

    // Alice's signature arrives first, without a document token: nothing to place it on yet.
    const signature = JSON.stringify({
      event: 'document',
      data: {
        reference_number: referenceNumber,
        status: 'uploaded',
        signers: [{ privy_id: alice.privyId, signer_type: 'Signer', status: 'signed', signed_at: signedAt }],
      },
    })
    expect((await deliver(signature)).json).toEqual({ received: true, applied: false, duplicate: false })
    const early = await idOf({ referenceNumber, state: 'ignored' })

    // A later callback carries the token: the gateway adopts the document.
    const adopting = JSON.stringify({
      event: 'document',
      data: {
        reference_number: referenceNumber,
        document_token: upstream.document_token,
        signing_url: upstream.signing_url,
        status: 'uploaded',
        signers: [{ privy_id: alice.privyId, signer_type: 'Signer', status: 'waiting' }],
      },
    })
    expect((await deliver(adopting)).status).toBe(200)
    const before = await getDocument(gateway, { token: officer }, documentId)
    expect(before.signers[0]?.status).toBe('waiting')

    const reapplied = await reapply(early)
    expect(reapplied.status, reapplied.text).toBe(200)
    expect(reapplied.json).toMatchObject({ id: early, state: 'applied', error: null, attempts: 2 })
    const after = await getDocument(gateway, { token: officer }, documentId)
    expect(after.signers[0]).toMatchObject({ privy_id: alice.privyId, status: 'signed' })
    expect((await reapply(early)).status).toBe(409)
  })
})
