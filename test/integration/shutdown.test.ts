import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { SignJWT } from 'jose'
import pg from 'pg'
import { Response, request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freePort, withSchema } from '../../bench/processes.js'
import { type Database, openDatabase } from '../../src/db/database.js'
import { quoteIdentifier } from '../../src/db/sql-identifier.js'
import { simulatorPrivyEnv } from '../../src/simulator/dev-credentials.js'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { pdfOfExactSize, stampAt, uploadForm } from '../helpers/documents.js'
import { eventually } from '../helpers/eventually.js'
import { TEST_API_KEY, TEST_JWT_SECRET } from '../helpers/gateway.js'
import { fullRegistrationJson, nikFor } from '../helpers/identity.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

/**
 * src/server.ts as a process, stopped by signals while requests are in flight. The simulator runs
 * in this process, behind a TCP proxy that the test holds: a held proxy keeps the gateway inside
 * its Privy call for as long as the test needs, with no timing to guess.
 */

const databaseUrl = process.env.DATABASE_URL
const SLOW = 180_000
const REGISTER_AT_PRIVY = 'POST /web/api/v2/register HTTP/1.1'
const UPLOAD_AT_PRIVY = 'POST /web/api/v2/doc-signing HTTP/1.1'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

// A migrated PGlite data directory, copied for each gateway: initdb runs once, not per test.
let pgliteTemplate: string | undefined
beforeAll(async () => {
  if (databaseUrl) return
  pgliteTemplate = await mkdtemp(join(tmpdir(), 'privy-gateway-shutdown-template-'))
  const database = await openDatabase({ pgliteDataDir: pgliteTemplate })
  await database.migrate()
  await database.close()
})
afterAll(async () => {
  if (pgliteTemplate) await rm(pgliteTemplate, { recursive: true, force: true })
})

/** A process under load: the waits of this file allow the gateway's start 30 s per step. */
const WAIT = { timeoutMs: 30_000 }

/** A database of the test's own, as the gateway process's environment and as a handle to read it. */
async function freshDatabase(): Promise<{ env: Record<string, string>; open(): Promise<Database> }> {
  if (databaseUrl) {
    const schema = `t_${randomBytes(8).toString('hex')}`
    const database = await openDatabase({ databaseUrl, schema, poolSize: 2 })
    await database.migrate()
    await database.close()
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      await client
        .query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)
        .finally(() => client.end())
    })
    return {
      env: { DATABASE_URL: withSchema(databaseUrl, schema) },
      open: () => openDatabase({ databaseUrl, schema, poolSize: 2 }),
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-shutdown-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  await cp(pgliteTemplate ?? '', dataDir, { recursive: true })
  // PGlite is one process's at a time: read it once the gateway has exited.
  return { env: { PGLITE_DATA_DIR: dataDir }, open: () => openDatabase({ pgliteDataDir: dataDir }) }
}

interface LogLine {
  level: number
  msg: string
  reqId?: string
  [key: string]: unknown
}

interface GatewayProcess {
  url: string
  port: number
  child: ChildProcessWithoutNullStreams
  exited: Promise<number | null>
  logs(): LogLine[]
  waitForLog(what: string, match: (line: LogLine) => boolean): Promise<LogLine>
  stderr(): string
}

interface Upstream {
  simulator: RunningSimulator
  /** Between the gateway process and the simulator. */
  privy: TcpProxy
}

async function startUpstream(): Promise<Upstream> {
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0 })
  cleanups.push(() => simulator.close())
  const privy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(simulator.url).port) })
  cleanups.push(() => privy.close())
  return { simulator, privy }
}

async function startGateway(
  upstream: Upstream,
  database: { env: Record<string, string> },
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const port = await freePort()
  const signedPdfDir = await mkdtemp(join(tmpdir(), 'privy-gateway-shutdown-signed-'))
  cleanups.push(() => rm(signedPdfDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...simulatorPrivyEnv(upstream.privy.rewrite(upstream.simulator.url)),
      // A held call is released by the test, never timed out.
      PRIVY_TIMEOUT_MS: '120000',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      OPS_API_KEY_HASHES: createHash('sha256').update(TEST_API_KEY).digest('hex'),
      SIGNED_PDF_STORE_DIR: signedPdfDir,
      SHUTDOWN_GRACE_MS: '120000',
      ...database.env,
      ...env,
    },
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const lines: LogLine[] = []
  let pending = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8')
    const complete = pending.split('\n')
    pending = complete.pop() ?? ''
    for (const line of complete) {
      if (!line.startsWith('{')) continue
      try {
        lines.push(JSON.parse(line) as LogLine)
      } catch {
        // the dev banner and other plain text
      }
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const url = `http://127.0.0.1:${port}`
  const gateway: GatewayProcess = {
    url,
    port,
    child,
    exited,
    logs: () => lines,
    stderr: () => stderr,
    waitForLog: async (what, match) => {
      let found: LogLine | undefined
      await eventually(
        `the gateway logs ${what}`,
        () => {
          if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}): ${stderr}`)
          found = lines.find(match)
          return found !== undefined
        },
        WAIT,
      )
      return found as LogLine
    },
  }
  await eventually(
    'the gateway is ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}): ${stderr}`)
      try {
        const ready = await request(`${url}/health/ready`, { reset: true })
        await ready.body.dump()
        return ready.statusCode === 200
      } catch {
        return false
      }
    },
    { timeoutMs: 90_000 },
  )
  return gateway
}

function userToken(sub: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET))
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/**
 * One request, on a connection closed after it unless `keepAlive`: a kept-alive connection must be
 * closed by the gateway itself once it drains, or it would hold the server open.
 */
async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; json?: unknown; keepAlive?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  const response = await request(`${url}${path}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    reset: options.keepAlive !== true,
  })
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() }
}

/**
 * An upload whose body is sent in two halves: the second only when `sendRest()` is called. The
 * gateway has the request (and is reading its body) in between.
 */
async function startUpload(url: string, token: string, pdf: Buffer, requestId: string) {
  // undici's own Response: Node's global one (a different undici) does not know this FormData and
  // would encode it as text/plain on Node 24.
  const encoded = new Response(uploadForm(pdf, { title: 'Shutdown upload', e_meterai: eMeterai() }))
  const contentType = encoded.headers.get('content-type') ?? ''
  const body = Buffer.from(await encoded.arrayBuffer())
  const half = Math.floor(body.length / 2)
  let sendRest: () => void = () => undefined
  const rest = new Promise<void>((resolve) => {
    sendRest = resolve
  })
  async function* halves() {
    yield body.subarray(0, half)
    await rest
    yield body.subarray(half)
  }
  const answer = request(`${url}/v1/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': contentType,
      'content-length': String(body.length),
      'x-request-id': requestId,
    },
    body: Readable.from(halves()),
    reset: true,
  }).then(async (response) => ({
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  }))
  return { answer, sendRest }
}

const eMeterai = () => ({ category: 'surat_perjanjian', placements: [stampAt(1, 450, 700)] })

/**
 * A connection that has sent part of a request's head: it is not idle, so closing the server does
 * not drop it, and the request is complete only when `finish()` is called, after the signal.
 */
function partialRequest(port: number, head: string) {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8')
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => undefined)
  socket.write(head)
  return {
    finish: async (): Promise<Answer> => {
      socket.write('\r\n')
      await closed
      return parseHttpResponse(received)
    },
    destroy: () => socket.destroy(),
  }
}

function parseHttpResponse(raw: string): Answer {
  const split = raw.indexOf('\r\n\r\n')
  if (split < 0) throw new Error(`no HTTP response in ${JSON.stringify(raw.slice(0, 200))}`)
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const body = raw.slice(split + 4)
  const length = Number(headers['content-length'] ?? body.length)
  return { status: Number(statusLine.split(' ')[1]), headers, text: body.slice(0, length) }
}

/** A fresh TCP connection: refused, or (while the listener is still closing) answered. */
async function freshConnection(port: number, path: string): Promise<'refused' | Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('refused')
      else if (received === '') reject(error)
    })
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`))
    socket.once('close', () => {
      if (received !== '') resolve(parseHttpResponse(received))
    })
  })
}

function expectComplete(answer: Answer, status: number) {
  expect(answer.status, answer.text).toBe(status)
  // Nothing cut short: the body is all the Content-Length announced, and it parses.
  expect(Buffer.byteLength(answer.text)).toBe(Number(answer.headers['content-length']))
  return JSON.parse(answer.text)
}

async function registrationBody(sub: string) {
  const dob = '1991-03-14'
  return fullRegistrationJson({
    nik: nikFor(dob),
    dob,
    email: `${sub}@example.co.id`,
    phone_verified: true,
  })
}

describe('graceful shutdown of src/server.ts', () => {
  it('SIGTERM during an upload and during a Privy call: both finish whole, stragglers get 503, the rows are settled, exit 0', {
    timeout: SLOW,
  }, async () => {
    const upstream = await startUpstream()
    const database = await freshDatabase()
    const gateway = await startGateway(upstream, database)
    const token = await userToken('shutdown-user')

    // Connections that have begun a request: they complete it after the signal.
    const straggler = partialRequest(
      gateway.port,
      `GET /v1/registrations HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${token}\r\n`,
    )
    const readiness = partialRequest(gateway.port, 'GET /health/ready HTTP/1.1\r\nHost: gateway\r\n')
    cleanups.push(async () => {
      straggler.destroy()
      readiness.destroy()
    })

    // A registration inside its Privy call.
    upstream.privy.hold()
    const registration = call(gateway.url, 'POST', '/v1/registrations', {
      token,
      json: await registrationBody('shutdown-user'),
      keepAlive: true,
    })
    await eventually(
      'the registration reaches Privy',
      () => upstream.privy.held().toString('latin1').includes(REGISTER_AT_PRIVY),
      WAIT,
    )

    // A multi-MB upload with half its body sent.
    const pdf = await pdfOfExactSize(6 * 1024 * 1024)
    const upload = await startUpload(gateway.url, token, pdf, 'shutdown-upload-0001')
    await gateway.waitForLog(
      'the upload arrived',
      (line) => line.reqId === 'shutdown-upload-0001' && line.msg === 'incoming request',
    )

    gateway.child.kill('SIGTERM')
    await gateway.waitForLog('that it is shutting down', (line) => line.msg.startsWith('shutting down'))

    // New connections are refused once the listener is closed; until then they are answered 503.
    let fresh: 'refused' | Answer = await freshConnection(gateway.port, '/v1/registrations')
    while (fresh !== 'refused') {
      expect(fresh.status).toBe(503)
      fresh = await freshConnection(gateway.port, '/v1/registrations')
    }

    // A request that arrives on an open connection: 503 problem+json, Retry-After, Connection: close.
    const refused = await straggler.finish()
    expect(refused.status).toBe(503)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.headers.connection).toBe('close')
    expect(JSON.parse(refused.text)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
    // The readiness check says so too, in its own shape, so a load balancer stops sending.
    const notReady = await readiness.finish()
    expect(notReady.status).toBe(503)
    expect(JSON.parse(notReady.text)).toEqual({ status: 'unavailable' })

    // The rest of the upload arrives while the gateway drains; it goes on to Privy too.
    upload.sendRest()
    await eventually(
      'the upload reaches Privy',
      () => upstream.privy.held().toString('latin1').includes(UPLOAD_AT_PRIVY),
      WAIT,
    )
    upstream.privy.release()

    const registrationAnswer = await registration
    const registered = expectComplete(registrationAnswer, 201)
    expect(registered).toMatchObject({ id: expect.any(String), status: expect.any(String) })
    // An answer given while draining closes its kept-alive connection, which would hold the server open.
    expect(registrationAnswer.headers.connection).toBe('close')
    const uploadAnswer = await upload.answer
    const uploaded = expectComplete(uploadAnswer, 201)
    expect(uploaded).toMatchObject({
      id: expect.any(String),
      sha256: createHash('sha256').update(pdf).digest('hex'),
    })

    expect(await gateway.exited).toBe(0)
    expect(gateway.logs().some((line) => line.msg === 'shut down cleanly')).toBe(true)

    const rows = await database.open()
    cleanups.push(() => rows.close())
    expect(await rows.prisma.registration.findUnique({ where: { id: registered.id } })).toMatchObject({
      submission: 'submitted',
      registerTokenSealed: expect.any(Uint8Array),
    })
    expect(await rows.prisma.document.findUnique({ where: { id: uploaded.id } })).toMatchObject({
      submission: 'submitted',
      documentTokenSealed: expect.any(Uint8Array),
      sizeBytes: pdf.length,
    })
  })

  it('a second SIGTERM during a long drain exits at once, non-zero, leaving the intent recorded', {
    timeout: SLOW,
  }, async () => {
    const upstream = await startUpstream()
    const database = await freshDatabase()
    const gateway = await startGateway(upstream, database)
    const sub = `impatient-${randomBytes(4).toString('hex')}`

    upstream.privy.hold()
    const registration = call(gateway.url, 'POST', '/v1/registrations', {
      token: await userToken(sub),
      json: await registrationBody(sub),
    }).catch((error: unknown) => error)
    await eventually(
      'the registration reaches Privy',
      () => upstream.privy.held().toString('latin1').includes(REGISTER_AT_PRIVY),
      WAIT,
    )

    gateway.child.kill('SIGTERM')
    await gateway.waitForLog('that it is shutting down', (line) => line.msg.startsWith('shutting down'))
    // The drain would wait for Privy for as long as the budget (two minutes) allows.
    gateway.child.kill('SIGTERM')
    expect(await gateway.exited).toBe(128 + 15)
    expect(gateway.logs().some((line) => line.msg.startsWith('second signal'))).toBe(true)
    // The caller got no answer rather than a part of one.
    expect(await registration).toBeInstanceOf(Error)

    // What was written before the Privy call is there, for the reconciler to settle.
    const rows = await database.open()
    cleanups.push(() => rows.close())
    const written = await rows.prisma.registration.findMany({ where: { ownerId: `user:${sub}` } })
    expect(written.map((row) => row.submission)).toEqual(['in_flight'])
  })

  it('the drain is bounded: past SHUTDOWN_GRACE_MS the requests left are cut and the process exits 1', {
    timeout: SLOW,
  }, async () => {
    const upstream = await startUpstream()
    const database = await freshDatabase()
    const gateway = await startGateway(upstream, database, { SHUTDOWN_GRACE_MS: '1000' })
    const sub = `stuck-${randomBytes(4).toString('hex')}`

    upstream.privy.hold()
    const registration = call(gateway.url, 'POST', '/v1/registrations', {
      token: await userToken(sub),
      json: await registrationBody(sub),
    }).catch((error: unknown) => error)
    await eventually(
      'the registration reaches Privy',
      () => upstream.privy.held().toString('latin1').includes(REGISTER_AT_PRIVY),
      WAIT,
    )

    // Privy never answers: the budget cuts the request, then the hung client close is given up on.
    gateway.child.kill('SIGTERM')
    expect(await gateway.exited).toBe(1)
    const messages = gateway.logs().map((line) => line.msg)
    expect(messages).toContain('shutdown budget spent: cutting the connections still open')
    expect(messages).toContain('shutdown did not finish within its budget: exiting anyway')
    expect(await registration).toBeInstanceOf(Error)

    const rows = await database.open()
    cleanups.push(() => rows.close())
    const written = await rows.prisma.registration.findMany({ where: { ownerId: `user:${sub}` } })
    expect(written.map((row) => row.submission)).toEqual(['in_flight'])
  })
})
