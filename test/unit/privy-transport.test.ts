import { type ChildProcess, spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { Agent } from 'undici'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  PrivyConnectionError,
  PrivyRedirectError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyTimeoutError,
} from '../../src/privy/index.js'
import {
  created,
  dropSocket,
  type FakePrivy,
  hang,
  REGISTER_PATH,
  type Responder,
  reply,
  STATUS_DATA,
  STATUS_PATH,
  startFakePrivy,
  testClient,
} from './privy-fake-server.js'

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

const input = {
  reference_number: 'R-1',
  registration_type: 'landing_page',
  email: 'a@b.c',
  phone: '6281',
} as const
const ref = { reference_number: 'R-1', register_token: 'rt-1' }
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

/** Writes `chunk` every `everyMs` until the client goes away. */
const drip =
  (status: number, chunk: string, everyMs: number, headers: Record<string, string> = {}): Responder =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.write('{"message":"OK","data":')
    const timer = setInterval(() => res.write(chunk), everyMs)
    res.on('close', () => clearInterval(timer))
  }

describe('Privy transport: side-effect calls are sent once', () => {
  it('register that times out is a response PrivyTimeoutError, outcome unknown, not retried', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [hang, created({})] })
    const { client } = testClient(privy.baseUrl, { timeoutMs: 300 })
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({
      phase: 'response',
      outcome: 'unknown',
      operation: 'registrations.register',
    })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    await client.close()
  })

  it('register whose connection is dropped after sending is PrivyConnectionError, outcome unknown', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [dropSocket, created({})] })
    const { client } = testClient(privy.baseUrl)
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyConnectionError)
    expect(error).not.toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({ outcome: 'unknown' })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    await client.close()
  })

  it('register answered 503 is PrivyServerError, outcome unknown, not retried', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [reply(503, 'Service Unavailable'), created({})] })
    const { client } = testClient(privy.baseUrl)
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyServerError)
    expect(error).toMatchObject({ status: 503, outcome: 'unknown', messages: [] })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    await client.close()
  })

  it('register to a closed port is refused: PrivyConnectionError, outcome not_applied', async () => {
    privy = await startFakePrivy({})
    const { client } = testClient(privy.baseUrl)
    await client.getAccessToken()
    await privy.close()
    privy = undefined
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyConnectionError)
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      outcome: 'not_applied',
      operation: 'registrations.register',
    })
    await client.close()
  })
})

describe('Privy transport: deadlines', () => {
  it('a status read is retried after a dropped connection and a timeout', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [dropSocket, hang, created(STATUS_DATA)] })
    const { client, sleeps } = testClient(privy.baseUrl, { timeoutMs: 300 })
    await expect(client.registrations.status(ref)).resolves.toEqual(STATUS_DATA)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    await client.close()
  })

  it('a body that drips slowly ends at the response deadline', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [drip(201, ' ', 50)] })
    const { client } = testClient(privy.baseUrl, { timeoutMs: 400 })
    const started = Date.now()
    const error = await failure(client.registrations.register(input))
    // The drip never ends: only the response deadline can have ended the call, and not before it.
    expect(error).toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({ phase: 'response', outcome: 'unknown' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    await client.close()
  })

  it.skipIf(process.platform !== 'linux')(
    'a host that never accepts the connection is a connect timeout',
    async () => {
      const stalled = await startStalledListener()
      try {
        const { client } = testClient(`http://127.0.0.1:${stalled.port}`, {
          connectTimeoutMs: 300,
          maxRetries: 0,
        })
        const error = await failure(client.getAccessToken())
        expect(error).toBeInstanceOf(PrivyTimeoutError)
        expect(error).toMatchObject({
          phase: 'connect',
          code: 'UND_ERR_CONNECT_TIMEOUT',
          outcome: 'not_applied',
        })
        await client.close()
      } finally {
        stalled.stop()
      }
    },
  )
})

/**
 * The deadline timers the transport arms (a setTimeout of the call's `timeoutMs`), whether each fired,
 * and how many are still scheduled. They are unref'd, so process.getActiveResourcesInfo() leaves them
 * out: each is ref'd for the count (a cleared or fired timer does not count when ref'd) and unref'd again.
 */
function watchDeadlines(timeoutMs: number) {
  const original = globalThis.setTimeout
  const armed: Array<{ handle: NodeJS.Timeout; fired: boolean }> = []
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    if (ms !== timeoutMs) return original(callback, ms, ...args)
    const entry = { handle: undefined as unknown as NodeJS.Timeout, fired: false }
    entry.handle = original(
      (...fired: unknown[]) => {
        entry.fired = true
        callback(...fired)
      },
      ms,
      ...args,
    )
    armed.push(entry)
    return entry.handle
  }) as unknown as typeof setTimeout)
  const timeouts = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
  return {
    armed,
    pending(): number {
      const before = timeouts()
      const unrefd = armed.filter(({ handle }) => !handle.hasRef())
      for (const { handle } of unrefd) handle.ref()
      const after = timeouts()
      for (const { handle } of unrefd) handle.unref()
      return after - before
    },
    restore: () => spy.mockRestore(),
  }
}

describe('Privy transport: the deadline timer ends with the attempt', () => {
  it('after a fast answer no deadline timer is left pending', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created(STATUS_DATA)] })
    const deadlines = watchDeadlines(4_321)
    try {
      const { client } = testClient(privy.baseUrl, { timeoutMs: 4_321 })
      await expect(client.registrations.status(ref)).resolves.toEqual(STATUS_DATA)
      await expect(client.registrations.status(ref)).resolves.toEqual(STATUS_DATA)
      // The token call and the two status calls: each armed its deadline, none fired, none is left.
      expect(deadlines.armed.length).toBeGreaterThanOrEqual(2)
      expect(deadlines.armed.some(({ fired }) => fired)).toBe(false)
      expect(deadlines.pending()).toBe(0)
      await client.close()
    } finally {
      deadlines.restore()
    }
  })

  it('when Privy hangs the deadline still fires and ends the call', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [hang] })
    const deadlines = watchDeadlines(300)
    try {
      const { client } = testClient(privy.baseUrl, { timeoutMs: 300, maxRetries: 0 })
      const error = await failure(client.registrations.status(ref))
      expect(error).toBeInstanceOf(PrivyTimeoutError)
      expect(error).toMatchObject({ phase: 'response', outcome: 'unknown' })
      // The hung status call's own timer is what fired; the token call's was cleared when it ended.
      expect(deadlines.armed.filter(({ fired }) => fired)).toHaveLength(1)
      expect(deadlines.pending()).toBe(0)
      await client.close()
    } finally {
      deadlines.restore()
    }
  })
})

describe('Privy transport: what is never followed or buffered', () => {
  it('does not follow a redirect', async () => {
    privy = await startFakePrivy({
      [REGISTER_PATH]: [reply(302, '', { location: '/elsewhere' })],
      '/elsewhere': [created({})],
    })
    const { client } = testClient(privy.baseUrl)
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyRedirectError)
    expect(error).toMatchObject({ status: 302, outcome: 'unknown' })
    expect(privy.callsTo('/elsewhere')).toHaveLength(0)
    await client.close()
  })

  it('refuses a body whose Content-Length is over maxResponseBytes', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created({ ...STATUS_DATA, padding: 'x'.repeat(5_000) })] })
    const { client } = testClient(privy.baseUrl, { maxResponseBytes: 1_000 })
    const error = await failure(client.registrations.status(ref))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(String(error)).toContain('exceeds 1000 bytes')
    await client.close()
  })

  it('cuts off an endless chunked body instead of buffering it', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [drip(201, 'x'.repeat(4_096), 1)] })
    const { client } = testClient(privy.baseUrl, { maxResponseBytes: 64 * 1024, timeoutMs: 5_000 })
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(error).toMatchObject({ outcome: 'unknown' })
    await client.close()
  })

  it('an answer cut off mid-body (the connection closes early) is PrivyConnectionError, outcome unknown', async () => {
    const cutOff: Responder = (res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '1000' })
      res.write('{"message":"OK","data":{"reference_number":"R-1"')
      setTimeout(() => res.socket?.destroy(), 20)
    }
    privy = await startFakePrivy({ [REGISTER_PATH]: [cutOff, created({})] })
    const { client } = testClient(privy.baseUrl, { timeoutMs: 5_000 })
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyConnectionError)
    expect(error).not.toBeInstanceOf(PrivyTimeoutError)
    expect(error).toMatchObject({ outcome: 'unknown', operation: 'registrations.register' })
    expect(privy.callsTo(REGISTER_PATH)).toHaveLength(1)
    await client.close()
  })

  it('reads an answer sent in many chunks, a character split between two of them', async () => {
    const data = { ...STATUS_DATA, reject_reason: { code: 'RC01', reason: 'Foto KTP buram – ulangi' } }
    const bytes = Buffer.from(JSON.stringify({ message: 'OK', data }), 'utf8')
    const dash = bytes.indexOf(Buffer.from('–', 'utf8'))
    const inChunks: Responder = (res) => {
      res.writeHead(201, { 'content-type': 'application/json' })
      // The en dash is three bytes: the first chunk ends after its first byte.
      const cuts = [0, 7, dash + 1, dash + 2, bytes.length]
      let index = 0
      const next = () => {
        const [from, to] = [cuts[index], cuts[index + 1]]
        index++
        if (to === undefined) return void res.end()
        res.write(bytes.subarray(from, to))
        setTimeout(next, 5)
      }
      next()
    }
    privy = await startFakePrivy({ [STATUS_PATH]: [inChunks] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.registrations.status(ref)).resolves.toMatchObject({
      reject_reason: { code: 'RC01', reason: 'Foto KTP buram – ulangi' },
    })
    await client.close()
  })

  it('still types an oversize error body by its status', async () => {
    privy = await startFakePrivy({ [REGISTER_PATH]: [drip(503, 'x'.repeat(4_096), 1)] })
    const { client } = testClient(privy.baseUrl, { maxResponseBytes: 16 * 1024 })
    const error = await failure(client.registrations.register(input))
    expect(error).toBeInstanceOf(PrivyServerError)
    await client.close()
  })
})

describe('Privy client: close()', () => {
  it('closes its own dispatcher', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created(STATUS_DATA)] })
    const { client } = testClient(privy.baseUrl)
    await client.registrations.status(ref)
    await client.close()
    await client.close()
    const error = await failure(client.registrations.status(ref))
    expect(error).toBeInstanceOf(PrivyConnectionError)
    expect(error).toMatchObject({ outcome: 'not_applied' })
  })

  it('leaves an injected dispatcher open', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [created(STATUS_DATA)] })
    const agent = new Agent()
    const first = testClient(privy.baseUrl, { dispatcher: agent })
    await first.client.registrations.status(ref)
    await first.client.close()
    expect(agent.closed).toBe(false)
    const second = testClient(privy.baseUrl, { dispatcher: agent })
    await expect(second.client.registrations.status(ref)).resolves.toEqual(STATUS_DATA)
    await agent.close()
  })
})

/**
 * A loopback listener that never accepts: a child process listens with a backlog of 1 and is
 * stopped (SIGSTOP), and two connections fill its accept queue, so the kernel drops further SYNs.
 */
async function startStalledListener(): Promise<{ port: number; stop: () => void }> {
  const script =
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (d) => resolve(Number(String(d)))),
  )
  const pid = child.pid
  if (pid === undefined) throw new Error('listener did not start')
  process.kill(pid, 'SIGSTOP')
  const fillers: Socket[] = []
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => {}))
  await new Promise((resolve) => setTimeout(resolve, 200))
  return {
    port,
    stop: () => {
      for (const socket of fillers) socket.destroy()
      process.kill(pid, 'SIGKILL')
    },
  }
}
