import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { freePorts } from '../../bench/processes.js'
import { fullRegistrationJson } from '../helpers/identity.js'
import { type ServerProcess, startAndWait } from '../helpers/server-process.js'

// On the embedded default (PGlite + in-process simulator) a restart is invisible.
// The simulator keeps its state beside the PGlite data (src/simulator/persistence.ts) and the dev
// secrets are kept too (src/config/dev-secrets.ts), so a flow begun before `npm start` is run again
// finishes after it, with the same token.

const temporary: string[] = []
const running: ServerProcess[] = []
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL')
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function call(url: string, method: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await request(url, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.body.text()
  return { status: response.statusCode, json: JSON.parse(text || 'null'), text }
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM')
  expect(await server.exited).toBe(0)
}

describe('a restart of `npm start` on its embedded defaults', () => {
  it('finishes an OTP registration begun before it: the code sent before is read and validated after', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-restart-'))
    temporary.push(dataDir)
    const [port = 0, simulatorPort = 0] = await freePorts(2)
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: dataDir,
      SIMULATOR_PORT: String(simulatorPort),
      LOG_LEVEL: 'warn',
    }
    const gateway = `http://127.0.0.1:${port}`
    const simulator = `http://127.0.0.1:${simulatorPort}`

    const first = await startAndWait(env)
    running.push(first)
    const token = /Bearer (\S+)/.exec(first.output().stdout)?.[1] ?? ''
    const created = await call(`${gateway}/v1/registrations`, 'POST', token, await fullRegistrationJson())
    expect(created.status, created.text).toBe(201)
    expect(created.json.status).toBe('waiting_otp')
    const otp = await call(`${gateway}/v1/otp`, 'POST', token, {
      otp_type: 'registration',
      otp_channel: 'sms',
      registration_id: created.json.id,
    })
    expect(otp.status, otp.text).toBe(201)
    await stop(first)

    // Kept beside the PGlite data, readable by its owner only; no temporary file left behind.
    const stateFile = join(dataDir, 'privy-simulator.json')
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600)
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([])

    const second = await startAndWait(env)
    running.push(second)
    // The token printed by the first start is used from here on: the dev secret was kept.
    const reference = created.json.reference_number
    const messages = await call(`${simulator}/__sim/messages?reference_number=${reference}`, 'GET', undefined)
    expect(messages.json.messages).toHaveLength(1)
    const code = /\b(\d{6})\b/.exec(messages.json.messages[0].text)?.[1]
    expect(code).toMatch(/^\d{6}$/)

    const validated = await call(`${gateway}/v1/otp/${otp.json.id}/validate`, 'POST', token, {
      otp_code: code,
    })
    expect(validated.status, validated.text).toBe(200)
    const refreshed = await call(`${gateway}/v1/registrations/${created.json.id}?refresh=true`, 'GET', token)
    expect(refreshed.status, refreshed.text).toBe(200)
    expect(refreshed.json.status).toBe('waiting_verification')

    const verified = await call(`${simulator}/__sim/registrations/${reference}/verify`, 'POST', undefined)
    expect(verified.status, verified.text).toBe(200)
    const final = await call(`${gateway}/v1/registrations/${created.json.id}?refresh=true`, 'GET', token)
    expect(final.json.status).toBe('verified')
    expect(final.json.privy_id).toEqual(expect.any(String))
    await stop(second)
  }, 600_000)
})
