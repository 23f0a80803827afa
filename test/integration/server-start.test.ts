import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/processes.js'

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

/** `npm start` as a user runs it: src/server.ts in its own process, configured only by its environment. */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

/** The CPU seconds a process has used so far (Linux /proc), undefined where that cannot be read. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** How long a start may go without using any CPU before it counts as stuck, whatever the load. */
const STALL_MS = 30_000
/** Where the CPU cannot be read, one generous bound on the whole start instead. */
const UNMEASURED_BOUND_MS = 300_000

/**
 * Waits until `ready()` or the process exits. The deadline is about the start, not the machine: a
 * start that keeps using CPU is progressing, however loaded the machine, and only one that uses none
 * for STALL_MS fails here.
 */
async function untilStarted(child: ReturnType<typeof spawn>, ready: () => boolean): Promise<void> {
  const started = Date.now()
  let lastCpu = -1
  let lastProgress = Date.now()
  while (!ready() && child.exitCode === null) {
    const cpu = await cpuSeconds(child.pid)
    if (cpu !== undefined && cpu > lastCpu) {
      lastCpu = cpu
      lastProgress = Date.now()
    }
    if (cpu !== undefined && Date.now() - lastProgress > STALL_MS) {
      throw new Error(`the server used no CPU for ${STALL_MS} ms without starting (${lastCpu} s used)`)
    }
    if (cpu === undefined && Date.now() - started > UNMEASURED_BOUND_MS) {
      throw new Error(`the server did not start within ${UNMEASURED_BOUND_MS} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('src/server.ts', () => {
  it('runs on embedded defaults: prints the Swagger UI address and a dev token that works, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-start-'))
    temporary.push(dataDir)
    const port = await freePort()
    const server = startServer({
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    })
    await untilStarted(server.child, () => server.output().stdout.includes('Dev operator key'))
    const { stdout } = server.output()
    expect(stdout).toContain(`Swagger UI:   http://127.0.0.1:${port}/docs`)
    expect(stdout).toContain('in-process SIMULATOR')
    const token = /Bearer (\S+)/.exec(stdout)?.[1] ?? ''
    expect(token).not.toBe('')

    // Listening comes first (liveness); readiness once the new data directory is open and migrated.
    const live = await request(`http://127.0.0.1:${port}/health/live`)
    expect(live.statusCode).toBe(200)
    await live.body.dump()
    let ready = false
    const probing = (async () => {
      while (!ready && server.child.exitCode === null) {
        const answer = await request(`http://127.0.0.1:${port}/health/ready`)
        const body = (await answer.body.json()) as { causes?: Record<string, string> }
        ready = answer.statusCode === 200
        // Before that, the only acceptable reason is the start itself.
        if (ready) break
        expect(body.causes).toEqual({ startup: 'starting: the database is opening' })
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    let probeFailed = false
    probing.catch(() => {
      probeFailed = true
    })
    await untilStarted(server.child, () => ready || probeFailed)
    await probing

    const docs = await request(`http://127.0.0.1:${port}/docs/`)
    expect(docs.statusCode).toBe(200)
    expect(await docs.body.text()).toContain('swagger-ui')
    const list = await request(`http://127.0.0.1:${port}/v1/registrations`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(list.statusCode).toBe(200)
    await list.body.dump()

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    // The start's own deadline is untilStarted's stall check; this only bounds a hang after it.
  }, 600_000)

  it('refuses to start in production without its configuration, naming every missing key', async () => {
    const server = startServer({ NODE_ENV: 'production' })
    expect(await server.exited).toBe(1)
    const { stderr } = server.output()
    for (const key of ['DATABASE_URL', 'PRIVY_BASE_URL', 'PRIVY_API_SECRET', 'OPS_API_KEY_HASHES']) {
      expect(stderr).toContain(key)
    }
  })
})
