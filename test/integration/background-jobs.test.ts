import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { register } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, type TestGateway, useGateway } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'

const FAST_JOBS = {
  RECONCILE_INTERVAL_MS: '100',
  POLL_INTERVAL_MS: '100',
  POLL_STALE_AFTER_SECONDS: '600',
  REQUEST_TIMEOUT_MS: '5000',
  PRIVY_TIMEOUT_MS: '2000',
  PRIVY_LATE_ANSWER_MS: '2500',
}
const STATUS_PATH = '/web/api/v2/register/status'

let token: string
let people = 0

const gateway = useGateway(FAST_JOBS)
beforeAll(async () => {
  token = await gateway.userToken('jobs-user')
})

/** A registration waiting for Privy's verification (no OTP needed). */
async function waitingVerification(on: TestGateway, userToken: string) {
  people += 1
  const dob = `19${70 + (people % 25)}-0${1 + (people % 9)}-1${people % 10}`
  const overrides = { email: `jobs.${people}@example.co.id`, nik: nikFor(dob), dob, phone_verified: true }
  const created = await register(on, { token: userToken }, overrides)
  expect(created.status).toBe('waiting_verification')
  return created
}

async function statusReads(on: TestGateway): Promise<number> {
  const response = await on.sim('GET', `/__sim/requests/count?path=${encodeURIComponent(STATUS_PATH)}`)
  return response.json.count
}

describe('the poller settles what callbacks missed', () => {
  it('a registration verified at Privy without a callback is read again once stale, and reported', async () => {
    const registration = await waitingVerification(gateway, token)
    await gateway.sim('POST', `/__sim/registrations/${registration.reference_number}/verify`, {
      outcome: 'verified',
    })
    const row = () =>
      gateway.database.prisma.registration.findUniqueOrThrow({ where: { id: registration.id } })
    // Not stale yet: nobody asks Privy.
    const before = await statusReads(gateway)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await statusReads(gateway)).toBe(before)
    expect((await row()).status).toBe('waiting_verification')

    gateway.clock.advance(11 * 60_000)
    const settled = await eventually(row, (record) => record.status === 'verified')
    expect(settled.status).toBe('verified')
    expect(settled.privyId).not.toBeNull()
    const events = await gateway.database.prisma.webhookEvent.findMany({
      where: { resourceId: registration.id, type: 'registration.updated' },
      orderBy: { createdAt: 'asc' },
    })
    expect(events.at(-1)?.payload).toMatchObject({
      type: 'registration.updated',
      data: { id: registration.id, status: 'verified', privy_id: settled.privyId },
    })
  })
})

describe('the reconciler', () => {
  it('a row left in flight by a dead instance becomes unknown, with its event', async () => {
    const id = randomUUID()
    await gateway.database.prisma.registration.create({
      data: {
        id,
        ownerId: 'user:jobs-user',
        referenceNumber: `REG-${id.replaceAll('-', '').toUpperCase()}`,
        registrationType: 'landing_page',
        status: 'pending',
        submission: 'in_flight',
        emailMasked: 'j***@example.co.id',
        phoneMasked: '6281******000',
        createdAt: new Date(Date.now() - 60_000),
      },
    })
    const row = await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id } }),
      (record) => record.submission === 'unknown',
    )
    expect(row.submission).toBe('unknown')
    const event = await gateway.database.prisma.webhookEvent.findFirst({ where: { resourceId: id } })
    expect(event?.payload).toMatchObject({ data: { id, submission: 'unknown' } })
  })

  it('an OTP send whose answer never came blocks a new one until its code would have expired, then frees it', async () => {
    people += 1
    const dob = '1990-10-10'
    const created = await register(
      gateway,
      { token },
      { email: `jobs.otp.${people}@example.co.id`, nik: nikFor(dob), dob },
    )
    expect(created.status).toBe('waiting_otp')
    // The connection drops after the request left: Privy may or may not have sent the SMS.
    await gateway.sim('POST', '/__sim/faults', { path: '/web/api/v2/register/otp', kind: 'drop', times: 1 })
    const client = await clientFor(gateway, { token })
    const body = { otp_type: 'registration', otp_channel: 'sms', registration_id: created.id } as const
    const request = async () => answered(await client.raw.POST('/v1/otp', { body }))
    const lost = await request()
    expect(lost.status).toBeGreaterThanOrEqual(500)
    expect(lost.error).toMatchObject({ otp_id: expect.any(String), next_action: 'wait' })
    const lostId = lost.error?.otp_id as string
    const voidAt = Date.parse(String(lost.error?.retry_at))
    // Contract §4: a code lives 15 minutes; until then a second SMS is not sent, whoever asks.
    expect(voidAt - (Date.now() + gateway.clock.offset())).toBeGreaterThan(14 * 60_000)
    const blocked = await request()
    expect(blocked.status, blocked.text).toBe(409)
    expect(blocked.error).toMatchObject({
      code: 'OPERATION_PENDING',
      otp_id: lostId,
      next_action: 'wait',
    })
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(14 * 60)
    const row = () => gateway.database.prisma.otpTransaction.findUniqueOrThrow({ where: { id: lostId } })
    expect((await row()).submission).toBe('unknown')
    // Past its void time the reconciler frees it without being asked.
    gateway.clock.advance(voidAt - (Date.now() + gateway.clock.offset()) + 1_000)
    try {
      expect((await eventually(row, (record) => record.submission === 'failed')).submission).toBe('failed')
      const next = await request()
      expect(next.status, next.text).toBe(201)
      expect(next.data?.id).not.toBe(lostId)
    } finally {
      gateway.clock.advance(-gateway.clock.offset())
    }
  })

  it('a create still unknown at UNKNOWN_SETTLE_MINUTES is handed to an operator and stops blocking the person', async () => {
    people += 1
    const dob = '1977-07-07'
    const body = await fullRegistrationJson({
      email: `jobs.lost.${people}@example.co.id`,
      nik: nikFor(dob),
      dob,
    })
    // Privy takes it and answers after even the late-answer window: the token is lost for good.
    await gateway.sim('POST', '/__sim/faults', {
      path: '/web/api/v2/register',
      kind: 'commit_then_timeout',
      delay_ms: 6000,
      times: 1,
    })
    const client = await clientFor(gateway, { token })
    const create = async () => answered(await client.raw.POST('/v1/registrations', { body }))
    const lost = await create()
    expect(lost.status).toBe(504)
    const lostId = lost.error?.registration_id as string
    // A retry probes with the same reference: Privy holds it, so the row stays unknown and blocks.
    gateway.clock.advance(10_000)
    const blocked = await create()
    expect(blocked.error).toMatchObject({
      code: 'OPERATION_PENDING',
      registration_id: lostId,
    })

    // Not yet at the bound: still blocked, still unknown. A younger row left in flight is the witness
    // that the reconciler swept after the clock moved (it leases oldest first, so it judged ours first).
    gateway.clock.advance(13 * 60_000)
    const witness = randomUUID()
    await gateway.database.prisma.registration.create({
      data: {
        id: witness,
        ownerId: 'user:jobs-user',
        referenceNumber: `REG-${witness.replaceAll('-', '').toUpperCase()}`,
        registrationType: 'landing_page',
        status: 'pending',
        submission: 'in_flight',
        emailMasked: 'w***@example.co.id',
        phoneMasked: '6281******001',
        createdAt: new Date(Date.now() + gateway.clock.offset() - 5 * 60_000),
      },
    })
    await eventually(
      () => gateway.database.prisma.registration.findUniqueOrThrow({ where: { id: witness } }),
      (record) => record.submission === 'unknown',
    )
    expect(
      (
        await gateway.database.prisma.registration.findUniqueOrThrow({
          where: { id: lostId },
        })
      ).submission,
    ).toBe('unknown')
    expect(await gateway.database.prisma.naturalKey.count({ where: { resourceId: lostId } })).toBe(1)
    gateway.clock.advance(3 * 60_000)
    const released = await eventually(
      () => gateway.database.prisma.naturalKey.count({ where: { resourceId: lostId } }),
      (count) => count === 0,
    )
    expect(released).toBe(0)
    const row = await gateway.database.prisma.registration.findUniqueOrThrow({
      where: { id: lostId },
    })
    expect(row.submission).toBe('unresolved')
    const again = await create()
    expect(again.status, again.text).toBe(201)
    expect(again.data?.id).not.toBe(lostId)
    expect(gateway.logs.text()).toContain('registration outcome unresolved')
  })
})

describe('two instances on one database', () => {
  it('poll each stale registration exactly once', async () => {
    const second = await startTestGateway(FAST_JOBS, {
      database: gateway.database,
      simulator: gateway.simulator,
    })
    try {
      const registrations = []
      for (let index = 0; index < 12; index++) registrations.push(await waitingVerification(gateway, token))
      const ids = registrations.map((registration) => registration.id)
      // Everything else is settled or fresh: make only these stale, on both instances' clocks.
      await gateway.database.prisma.registration.updateMany({
        where: { id: { notIn: ids }, submission: 'submitted' },
        data: { syncedAt: new Date(Date.now() + 400 * 24 * 3600_000) },
      })
      const before = await statusReads(gateway)
      const syncedBefore = new Map(
        (await gateway.database.prisma.registration.findMany({ where: { id: { in: ids } } })).map((row) => [
          row.id,
          row.syncedAt?.getTime(),
        ]),
      )
      gateway.clock.advance(30 * 60_000)
      second.clock.advance(gateway.clock.offset() - second.clock.offset())
      const polled = await eventually(
        async () => {
          const rows = await gateway.database.prisma.registration.findMany({ where: { id: { in: ids } } })
          return rows.filter((row) => row.syncedAt?.getTime() !== syncedBefore.get(row.id)).length
        },
        (count) => count === ids.length,
        { timeoutMs: 10_000 },
      )
      expect(polled).toBe(ids.length)
      // A little longer: a second read of any of them would show now.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(await statusReads(gateway)).toBe(before + ids.length)
    } finally {
      await second.close()
    }
  })
})
