import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/db/database.js'
import { simulatorPrivyEnv } from '../../src/simulator/dev-credentials.js'
import { startSimulator } from '../../src/simulator/index.js'
import { getDocument, getRegistration, upload as uploadAs, uploadRaw } from '../helpers/api.js'
import { answered, clientFor } from '../helpers/client.js'
import { openTestDatabase } from '../helpers/database.js'
import { a4Pdf, signatureAt, simDocumentOf, uploadBody, verifiedUser } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { fullRegistrationJson } from '../helpers/identity.js'
import { documentTokenOf, registerTokenOf } from '../helpers/privy-tokens.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

const databaseUrl = process.env.DATABASE_URL
const SLOW = 120_000
/** The registration's request line as it reaches Privy. */
const REGISTER_AT_PRIVY = 'POST /web/api/v2/register HTTP/1.1'
/** The upload's request line as it reaches Privy: the gateway is then inside the Privy call. */
const UPLOAD_AT_PRIVY = 'POST /web/api/v2/doc-signing HTTP/1.1'
/** What a 503 must not show: driver, host or Prisma details. */
const INTERNALS = /terminated|ECONN|prisma|pglite|postgres|pool|invocation|P1\d{3}|P20\d\d|127\.0\.0\.1|sql/i

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

interface Setup {
  gateway: TestGateway
  /** Between the gateway and Privy: held, it keeps the gateway inside its Privy call. */
  privy: TcpProxy
}

/**
 * The gateway on `database`, talking to the simulator through a proxy, with background jobs off so
 * nothing but the test moves the rows it reads.
 */
async function gatewayOn(database: Database, env: Record<string, string> = {}): Promise<Setup> {
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0 })
  cleanups.push(() => simulator.close())
  const privy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(simulator.url).port) })
  cleanups.push(() => privy.close())
  const gateway = await startTestGateway(
    {
      ...simulatorPrivyEnv(privy.rewrite(simulator.url)),
      // The held call must outlast nothing: the test releases it.
      PRIVY_TIMEOUT_MS: '60000',
      BACKGROUND_JOBS_ENABLED: 'false',
      ...env,
    },
    { database, simulator },
  )
  cleanups.push(() => gateway.close())
  return { gateway, privy }
}

/**
 * An upload whose database goes away (`fail`) while the gateway waits for Privy, between the
 * intent it wrote and the result it would write: the answer is a clean 503, and the rows hold
 * the whole intent and nothing of the result.
 */
async function uploadThroughOutage({ gateway, privy }: Setup, fail: () => Promise<void>) {
  const alice = await verifiedUser(gateway, `alice-${Date.now()}`)
  const bob = await verifiedUser(gateway, `bob-${Date.now()}`)
  const officer = await gateway.userToken('loan-officer')
  const title = `Outage ${Date.now()}`
  privy.hold()
  const pending = uploadRaw(
    await clientFor(gateway, { token: officer }),
    uploadBody(await a4Pdf(2), {
      title,
      signers: [
        { privy_id: alice.privyId, placements: [signatureAt(1, 50, 700)] },
        { privy_id: bob.privyId, placements: [signatureAt(2, 300, 700)] },
      ],
    }),
  )
  await eventually('the upload reaches Privy', () => privy.held().includes(UPLOAD_AT_PRIVY))
  await fail()

  const ready = await (await clientFor(gateway, 'anonymous')).raw.GET('/health/ready')
  expect(ready.response.status).toBe(503)
  expect(ready.error).toMatchObject({ status: 'unavailable', checks: { database: 'failed' } })

  privy.release()
  const response = await pending
  expect(response.status, response.text).toBe(503)
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(response.error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
  expect(response.error?.request_id).toEqual(expect.any(String))
  expect(response.text).not.toMatch(INTERNALS)
  return { title, signers: 2 }
}

/** The rows of the upload, read from the database itself: the intent, whole, and nothing after it. */
async function expectIntentOnly(database: Database, upload: { title: string; signers: number }) {
  const rows = await database.prisma.document.findMany({
    where: { title: upload.title },
    include: { signers: true, events: true },
  })
  expect(rows).toHaveLength(1)
  const [row] = rows
  // The recorded intent the reconciler settles by asking Privy about its reference number.
  expect(['in_flight', 'unknown']).toContain(row?.submission)
  expect(row?.documentTokenSealed).toBeNull()
  expect(row?.signers).toHaveLength(upload.signers)
  expect(row?.events.map((event) => event.type)).toEqual(['received'])
  return row
}

/**
 * A PostgreSQL schema of its own, read through `direct` (the truth), and the gateway's `database`
 * on the same schema through `link`, a proxy that can die.
 */
async function postgresBehindAProxy() {
  const direct = await openTestDatabase('postgres')
  cleanups.push(() => direct.close())
  const [{ schema } = { schema: '' }] = await direct.prisma.$queryRaw<
    Array<{ schema: string }>
  >`SELECT current_schema() AS schema`
  const server = new URL(databaseUrl ?? '')
  const link = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
  cleanups.push(() => link.close())
  const database = await openDatabase({ databaseUrl: link.rewrite(databaseUrl ?? ''), schema, poolSize: 4 })
  cleanups.push(() => database.close())
  return { direct, link, database }
}

describe('the database goes away mid-request', () => {
  it.runIf(databaseUrl)(
    'PostgreSQL cut between intent and result: 503 problem+json with Retry-After, the intent whole, then recovery',
    { timeout: SLOW },
    async () => {
      // The truth is read on a direct connection; the gateway's pool goes through a proxy that dies.
      const { direct, link, database } = await postgresBehindAProxy()
      const setup = await gatewayOn(database)

      const upload = await uploadThroughOutage(setup, () => link.cut())
      const row = await expectIntentOnly(direct, upload)
      // Privy did the work: the same reference number is what the reconciler asks about.
      expect((await simDocumentOf(setup.gateway, row?.referenceNumber ?? '')).reference_number).toBe(
        row?.referenceNumber,
      )

      // A request while the database is still away: the same clean 503.
      const officerClient = await clientFor(setup.gateway, 'loan-officer')
      const listed = await officerClient.raw.GET('/v1/documents').then(answered)
      expect(listed.status).toBe(503)
      expect(listed.headers.get('retry-after')).not.toBeNull()
      expect(listed.text).not.toMatch(INTERNALS)

      // The database comes back: the pool reconnects by itself.
      await link.restore()
      await eventually(
        'the gateway is ready again',
        async () => (await officerClient.raw.GET('/health/ready')).response.status === 200,
      )
      // Privy's answer, kept in memory while the database was away, is written now that it is back:
      // the document is the one Privy holds, token and all, and it can be acted on.
      const officer = await setup.gateway.userToken('loan-officer')
      const reference = row?.referenceNumber ?? ''
      const written = await eventually(
        () => direct.prisma.document.findUniqueOrThrow({ where: { referenceNumber: reference } }),
        (document) => document.submission === 'submitted',
        { timeoutMs: 20_000 },
      )
      const token = await documentTokenOf({ database: direct, pii: setup.gateway.pii }, written.id)
      expect(token).toBe((await simDocumentOf(setup.gateway, reference)).document_token)
      const read = await getDocument(setup.gateway, { token: officer }, written.id)
      expect(read).toMatchObject({ status: 'uploaded', submission: 'submitted' })
      const revoked = await officerClient.documents.revoke(written.id).withResponse()
      expect(revoked.response.status).toBe(200)
      expect(revoked.data.status).toBe('revoked')
      // The answer was kept and retried without its token ever reaching a log line.
      const logs = setup.gateway.logs.text()
      expect(logs).toContain("Privy's answer could not be written: kept in memory")
      expect(logs).toContain('a kept Privy answer was written')
      expect(setup.gateway.logs.leaked([token ?? 'no token'])).toEqual([])

      const signer = await verifiedUser(setup.gateway, `carol-${Date.now()}`)
      const next = await uploadAs(
        setup.gateway,
        { token: officer },
        {
          title: 'After the outage',
          signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 700)] }],
        },
        await a4Pdf(1),
      )
      expect(next.signers).toHaveLength(1)
    },
  )

  it('PGlite closed between intent and result: 503 problem+json with Retry-After, the intent whole on disk', {
    timeout: SLOW,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-outage-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const database = await openDatabase({ pgliteDataDir: dataDir })
    cleanups.push(() => database.close())
    await database.migrate()
    const setup = await gatewayOn(database)

    // The embedded database has no server to lose: it is closed under the running app instead.
    const upload = await uploadThroughOutage(setup, () => database.close())

    // Privy's answer is kept, and on a graceful stop, with the database still away, the last try fails:
    // the error names the reference number for an operator to check with Privy, and nothing else.
    const held = [...setup.gateway.simulator.state.documents.values()].find(
      (document) => document.documentName === upload.title,
    )
    expect(held).toBeDefined()
    await setup.gateway.close()
    const stopped = setup.gateway.logs.lines
      .map((line) => JSON.parse(line) as { msg?: string })
      .find((line) => line.msg?.includes('could not be written before shutdown'))
    expect(stopped).toMatchObject({ level: 50, reference_numbers: [held?.referenceNumber] })
    expect(setup.gateway.logs.leaked([held?.documentToken ?? 'no token'])).toEqual([])

    const reopened = await openDatabase({ pgliteDataDir: dataDir })
    cleanups.push(() => reopened.close())
    await expectIntentOnly(reopened, upload)
  })

  it.runIf(databaseUrl)(
    'a late answer from Privy that arrives during the outage is kept, and written once PostgreSQL is back',
    { timeout: SLOW },
    async () => {
      const { direct, link, database } = await postgresBehindAProxy()
      // Privy's deadline passes first (504, the row unknown), its late answer comes during the outage.
      const setup = await gatewayOn(database, { PRIVY_TIMEOUT_MS: '1000', PRIVY_LATE_ANSWER_MS: '60000' })
      const { gateway, privy } = setup
      const user = await gateway.userToken(`late-${Date.now()}`)
      const client = await clientFor(gateway, { token: user })
      // A first call fetches the Privy token, which the held network would otherwise hold too.
      const warm = await client.registrations
        .create({
          registration_type: 'landing_page',
          name: 'Warm Up',
          email: `warm.${Date.now()}@example.co.id`,
          phone: '6281234567890',
        })
        .withResponse()
      expect(warm.response.status).toBe(201)
      privy.hold()
      const body = await fullRegistrationJson({
        email: `late.${Date.now()}@example.co.id`,
        phone_verified: true,
      })
      const pending = client.raw.POST('/v1/registrations', { body }).then(answered)
      await eventually('the registration reaches Privy', () => privy.held().includes(REGISTER_AT_PRIVY))
      const timedOut = await pending
      expect(timedOut.status, timedOut.text).toBe(504)
      const id = timedOut.error?.registration_id as string
      expect((await direct.prisma.registration.findUniqueOrThrow({ where: { id } })).submission).toBe(
        'unknown',
      )

      await link.cut()
      privy.release()
      await eventually('the late answer is kept', () =>
        gateway.logs.text().includes("Privy's answer could not be written: kept in memory"),
      )
      expect((await direct.prisma.registration.findUniqueOrThrow({ where: { id } })).submission).toBe(
        'unknown',
      )

      await link.restore()
      const written = await eventually(
        () => direct.prisma.registration.findUniqueOrThrow({ where: { id } }),
        (row) => row.submission === 'submitted',
        { timeoutMs: 20_000 },
      )
      expect(written.submission).toBe('submitted')
      const upstream = await gateway.sim('GET', `/__sim/registrations/${written.referenceNumber}`)
      const token = await registerTokenOf({ database: direct, pii: gateway.pii }, id)
      expect(token).toBe(upstream.json.register_token)
      expect(gateway.logs.leaked([token ?? 'no token'])).toEqual([])
      const read = await getRegistration(gateway, { token: user }, id, { refresh: true })
      expect(read).toMatchObject({ status: 'waiting_verification', submission: 'submitted' })
    },
  )
})
