import { randomUUID } from 'node:crypto'
import type { GatewayClient, RegistrationRequest } from '@privy-gateway/client'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier } from '../../src/db/sql-identifier.js'
import { Prisma } from '../../src/generated/prisma/client.js'
import { landingPageBody, register } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { upstreamCount } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'

/**
 * A keyed `POST /v1/registrations` takes its Idempotency-Key in the transaction that writes the
 * registration's intent (no claim of its own before it): what that must not change.
 */
let client: GatewayClient

const gateway = useGateway()
beforeAll(async () => {
  client = await clientFor(gateway, 'idempotency-claim-user')
})

const REGISTER_PATH = '/web/api/v2/register'

async function create(body: RegistrationRequest, key?: string) {
  const headers = key === undefined ? {} : { 'idempotency-key': key }
  return answered(await client.raw.POST('/v1/registrations', { body, headers }))
}

const keyRow = (key: string) =>
  gateway.database.prisma.idempotencyKey.findUnique({
    where: { ownerId_key: { ownerId: 'user:idempotency-claim-user', key } },
  })

const registrations = () =>
  gateway.database.prisma.registration.count({ where: { ownerId: 'user:idempotency-claim-user' } })

describe('the Idempotency-Key taken with the registration', () => {
  it('binds the key to the registration it made and keeps the answer sent', async () => {
    const key = randomUUID()
    const first = await create(landingPageBody(), key)
    expect(first.status, first.text).toBe(201)
    const row = await keyRow(key)
    expect(row).toMatchObject({
      state: 'completed',
      resourceId: first.data?.id,
      responseStatus: 201,
      responseBody: first.text,
      lockedUntil: null,
    })
    expect(row?.responseHeaders).toEqual({ location: `/v1/registrations/${first.data?.id}` })
  })

  it('a request that finds the key taken writes nothing: its person can still register', async () => {
    const key = randomUUID()
    expect((await create(landingPageBody(), key)).status).toBe(201)
    const other = landingPageBody()
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const rows = await registrations()
    const reused = await create(other, key)
    expect(reused.status).toBe(422)
    expect(reused.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before)
    expect(await registrations()).toBe(rows)
    // The natural key of `other` was not left taken by the rolled-back transaction.
    const fresh = await create(other)
    expect(fresh.status, fresh.text).toBe(201)
  })

  it('a refusal before anything was written is kept under the key all the same', async () => {
    const key = randomUUID()
    const dob = '1991-02-03'
    // merchant_ra is off on this gateway: refused (403) before the registration's transaction.
    const body = await fullRegistrationJson({
      registration_type: 'merchant_ra',
      email: 'claim.merchant@example.co.id',
      nik: nikFor(dob, { ending: '6601' }),
      dob,
    })
    const refused = await create(body, key)
    expect(refused.status, refused.text).toBe(403)
    expect(refused.error?.code).toBe('FEATURE_NOT_ENABLED')
    expect(refused.headers.get('idempotent-replayed')).toBeNull()
    const again = await create(body, key)
    expect(again.status).toBe(403)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.text).toBe(refused.text)
    const other = await create(landingPageBody(), key)
    expect(other.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect((await keyRow(key))?.resourceId).toBeNull()
  })

  it('concurrent requests with one new key: one registration, the others 409 and write nothing', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    await gateway.sim('POST', '/__sim/faults', {
      path: REGISTER_PATH,
      kind: 'delay',
      delay_ms: 400,
      times: 1,
    })
    const before = await upstreamCount(gateway, REGISTER_PATH)
    const rows = await registrations()
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(body, key)))
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(before + 1)
    const codes = answers.map((answer) => answer.status).sort()
    expect(codes.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1)
    expect(codes.every((status) => status === 201 || status === 409)).toBe(true)
    for (const answer of answers.filter((each) => each.status === 409)) {
      expect(answer.error?.code).toBe('IDEMPOTENCY_KEY_IN_USE')
    }
    expect(await registrations()).toBe(rows + 1)
  })
})

describe('a kept answer lost after its key was bound (written unflushed, then a database crash)', () => {
  it('the retry after the lease settles through the registration: same answer, no second register', async () => {
    const key = randomUUID()
    const body = landingPageBody()
    const first = await create(body, key)
    expect(first.status, first.text).toBe(201)
    const registered = await upstreamCount(gateway, REGISTER_PATH)
    const rows = await registrations()
    // What the row is when the answer's unflushed commit is lost: bound, leased, no answer.
    const where = { ownerId_key: { ownerId: 'user:idempotency-claim-user', key } }
    const lost = {
      state: 'in_progress',
      responseStatus: null,
      responseContentType: null,
      responseBody: null,
      responseHeaders: Prisma.DbNull,
    } as const
    await gateway.database.prisma.idempotencyKey.update({
      where,
      data: { ...lost, lockedUntil: new Date(Date.now() + 60_000) },
    })
    const leased = await create(body, key)
    expect(leased.status, leased.text).toBe(409)
    expect(leased.error?.code).toBe('IDEMPOTENCY_KEY_IN_USE')

    await gateway.database.prisma.idempotencyKey.update({
      where,
      data: { lockedUntil: new Date(Date.now() - 1_000) },
    })
    const settled = await create(body, key)
    expect(settled.status, settled.text).toBe(201)
    expect(settled.data?.id).toBe(first.data?.id)
    expect(settled.headers.get('location')).toBe(`/v1/registrations/${first.data?.id}`)
    expect(settled.data?.registration_url).toBe(first.data?.registration_url)
    expect(await upstreamCount(gateway, REGISTER_PATH)).toBe(registered)
    expect(await registrations()).toBe(rows)
    // Kept again, now: the next retry is a replay of what the settled one answered.
    const replay = await create(body, key)
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.text).toBe(settled.text)
    expect(await keyRow(key)).toMatchObject({ state: 'completed', resourceId: first.data?.id })
  })
})

describe('a keyed OTP send takes its key in the transaction that writes its intent', () => {
  const OTP_PATH = '/web/api/v2/register/otp'
  const sendOtp = (registrationId: string, key: string) =>
    client.raw.POST('/v1/otp', {
      body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registrationId },
      headers: { 'idempotency-key': key },
    })

  it('binds the key to the send it wrote, even when a void send had to be failed first', async () => {
    const token = await gateway.userToken('idempotency-claim-user')
    const registration = await register(gateway, { token })
    const first = await sendOtp(registration.id, randomUUID())
    expect(first.response.status, JSON.stringify(first.error)).toBe(201)
    const firstId = first.data?.id ?? ''
    expect((await keyRowOfOtp(firstId))?.state).toBe('completed')

    // Its outcome lost and its code's window over: it blocks nothing, the next send fails it first.
    const past = new Date(Date.now() - 3_600_000)
    await gateway.database.prisma.otpTransaction.update({
      where: { id: firstId },
      data: { submission: 'unknown', upstreamTransactionId: null, lateAnswerUntil: null, expiresAt: past },
    })
    const sends = await upstreamCount(gateway, OTP_PATH)
    const key = randomUUID()
    const second = await sendOtp(registration.id, key)
    expect(second.response.status, JSON.stringify(second.error)).toBe(201)
    expect(second.data?.id).not.toBe(firstId)
    expect(await upstreamCount(gateway, OTP_PATH)).toBe(sends + 1)
    // Bound to the send that went, not to the intent that found the void one.
    expect(await keyRow(key)).toMatchObject({ state: 'completed', resourceId: second.data?.id })
    const replay = await sendOtp(registration.id, key)
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.data?.id).toBe(second.data?.id)
    expect(await upstreamCount(gateway, OTP_PATH)).toBe(sends + 1)
  })

  it('a send answered from a live OTP (nothing written) leaves its key bound to no phantom OTP row', async () => {
    const token = await gateway.userToken('idempotency-claim-user')
    const registration = await register(gateway, { token })
    const first = await sendOtp(registration.id, randomUUID())
    expect(first.response.status, JSON.stringify(first.error)).toBe(201)
    const firstId = first.data?.id ?? ''
    // Its outcome lost, its code possibly still valid: it is live and pending, so a send is refused.
    await gateway.database.prisma.otpTransaction.update({
      where: { id: firstId },
      data: {
        submission: 'unknown',
        upstreamTransactionId: null,
        lateAnswerUntil: null,
        expiresAt: new Date(Date.now() + 600_000),
      },
    })
    const key = randomUUID()
    const pending = await sendOtp(registration.id, key)
    expect(pending.response.status, JSON.stringify(pending.error)).toBe(409)
    expect(pending.error?.code).toBe('OPERATION_PENDING')
    const row = await keyRow(key)
    expect(row?.state).toBe('unknown')
    // The intent that took the key wrote no OTP: the key names none (or the live one), never an id
    // no row has, which a retry would resume as if its operation had acted.
    if (row?.resourceId != null) {
      const bound = await gateway.database.prisma.otpTransaction.findUnique({ where: { id: row.resourceId } })
      expect(bound, `key bound to ${row.resourceId}, which no OTP row has`).not.toBeNull()
    }

    // Settled meanwhile, its code expired: the retry is refused (409) as a fresh request would be, and
    // a refusal after nothing was done frees the key rather than leaving it unknown.
    await gateway.database.prisma.otpTransaction.update({
      where: { id: firstId },
      data: {
        submission: 'submitted',
        upstreamTransactionId: 'sim-tx-phantom',
        expiresAt: new Date(Date.now() - 1_000),
      },
    })
    const refused = await sendOtp(registration.id, key)
    expect(refused.response.status, JSON.stringify(refused.error)).toBe(409)
    expect(refused.error?.code).toBe('OTP_ALREADY_SENT')
    expect(await keyRow(key)).toBeNull()
  })
})

const keyRowOfOtp = (otpId: string) =>
  gateway.database.prisma.idempotencyKey.findFirst({ where: { resourceId: otpId } })

/**
 * The race of a keyed request whose intent transaction took the key and then rolled back (here the
 * OTP limits' 429, counted in that transaction) with a request that waited on its insert and then
 * took the key itself: the failed request must settle nothing but what it holds. Staged with locks
 * from connections of the test's own, so each step happens in this order (PostgreSQL only: PGlite
 * has one connection, so no lock can hold one request while another goes on).
 */
describe.runIf(process.env.DATABASE_URL)('a keyed request whose key-taking transaction rolled back', () => {
  const OTP_PATH = '/web/api/v2/register/otp'
  // One send an hour per client address: the first request's address has spent it, the second's not.
  // Privy's deadline above the second request's staged delay below.
  const raced = useGateway({
    TRUST_PROXY: 'loopback',
    OTP_SENDS_PER_IP_PER_HOUR: '1',
    PRIVY_TIMEOUT_MS: '10000',
  })
  const connections: pg.Client[] = []
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.end()))
  })

  async function connection(): Promise<pg.Client> {
    const [{ schema } = { schema: '' }] = await raced.database.prisma.$queryRaw<
      Array<{ schema: string }>
    >`SELECT current_schema() AS schema`
    const opened = new pg.Client({ connectionString: process.env.DATABASE_URL })
    connections.push(opened)
    await opened.connect()
    await opened.query(`SET search_path TO ${quoteIdentifier(schema)}`)
    return opened
  }

  /** The sessions that the session `pid` holds up (one queued behind it counts too), and what they run. */
  const blockedBy = async (probe: pg.Client, pid: number | undefined) =>
    (
      await probe.query<{ pid: number; query: string }>(
        'SELECT pid, query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
        [pid],
      )
    ).rows
  const pidOf = async (session: pg.Client) =>
    (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid

  it("a 429 inside the intent's transaction leaves the concurrent request's key, and its answer, kept", async () => {
    const token = await raced.userToken('key-race-user')
    const registration = await register(raced, { token })
    const spent = await register(raced, { token })
    const sendOtp = (registrationId: string, ip: string, key?: string) =>
      raced.call('POST', '/v1/otp', {
        token,
        headers: { 'x-forwarded-for': ip, ...(key === undefined ? {} : { 'idempotency-key': key }) },
        body: { otp_type: 'registration', otp_channel: 'sms', registration_id: registrationId },
      })
    const spentIp = '198.51.100.201'
    const freshIp = '198.51.100.202'
    expect((await sendOtp(spent.id, spentIp)).status).toBe(201)

    const probe = await connection()
    const rowLock = await connection()
    const tableLock = await connection()
    // Holds the registration's row: the first request takes the key, then waits here in its transaction.
    await rowLock.query('BEGIN')
    await rowLock.query('SELECT id FROM registrations WHERE id = $1 FOR UPDATE', [registration.id])
    // The second request's Privy call is slow: its answer comes well after the first request settled
    // (seconds of margin: on a loaded CI machine the first request's next statement may take a while).
    await raced.sim('POST', '/__sim/faults', { path: OTP_PATH, kind: 'delay', delay_ms: 4000, times: 1 })

    const key = randomUUID()
    const first = sendOtp(registration.id, spentIp, key)
    const [holder] = await eventually(
      async () => blockedBy(probe, await pidOf(rowLock)),
      (rows) => rows.length === 1,
    )
    const second = sendOtp(registration.id, freshIp, key)
    await eventually("the second request waiting on the first one's insert of the key", async () =>
      (await blockedBy(probe, holder?.pid)).some((row) =>
        row.query.startsWith('INSERT INTO idempotency_keys'),
      ),
    )
    // Queued behind both transactions, this lock holds back every later statement on the keys: whatever
    // the first request does to the key once its transaction rolled back runs after the second committed.
    const tableLockPid = await pidOf(tableLock)
    await tableLock.query('BEGIN')
    const tableLocked = tableLock.query('LOCK TABLE idempotency_keys IN SHARE MODE')
    await rowLock.query('COMMIT')
    await tableLocked
    // The second committed its intent, key and all; the first settles its key now (queued).
    const queued = await eventually(
      () => blockedBy(probe, tableLockPid),
      (rows) => rows.some((row) => /^\s*(DELETE|INSERT)/.test(row.query)),
    )
    // The second's answer (its key's update) comes later, after its slow Privy call.
    expect(queued.filter((row) => /^\s*UPDATE/.test(row.query))).toEqual([])
    await tableLock.query('COMMIT')

    const [refused, sent] = await Promise.all([first, second])
    expect(sent.status, sent.text).toBe(201)
    const row = await raced.database.prisma.idempotencyKey.findUnique({
      where: { ownerId_key: { ownerId: 'user:key-race-user', key } },
    })
    expect(row).toMatchObject({ state: 'completed', resourceId: sent.json.id, responseStatus: 201 })
    const sends = await upstreamCount(raced, OTP_PATH)
    const retry = await sendOtp(registration.id, freshIp, key)
    expect(retry.status, retry.text).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.text).toBe(sent.text)
    expect(await upstreamCount(raced, OTP_PATH)).toBe(sends)
    // The first request answered from the key the second holds, as if it had never taken it.
    if (refused.headers['idempotent-replayed'] === 'true') expect(refused.text).toBe(sent.text)
    else {
      expect(refused.status, refused.text).toBe(409)
      expect(refused.json.code).toBe('IDEMPOTENCY_KEY_IN_USE')
    }
  })
})
