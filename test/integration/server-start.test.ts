import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { freePorts } from '../../bench/processes.js'
import { startServer, untilStarted } from '../helpers/server-process.js'

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('src/server.ts', () => {
  it('runs on embedded defaults: prints the Swagger UI address and a dev token that works, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-start-'))
    temporary.push(dataDir)
    const [port = 0, simulatorPort = 0] = await freePorts(2)
    const server = startServer({
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: dataDir,
      SIMULATOR_PORT: String(simulatorPort),
      LOG_LEVEL: 'warn',
    })
    await untilStarted(server.child, () => server.output().stdout.includes('Dev operator key'))
    const { stdout } = server.output()
    expect(stdout).toContain(`Swagger UI:   http://127.0.0.1:${port}/docs`)
    expect(stdout).toContain('in-process SIMULATOR')
    expect(stdout).toContain(`Simulator:    http://127.0.0.1:${simulatorPort}`)
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
