import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
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
    const deadline = Date.now() + 60_000
    while (!server.output().stdout.includes('Dev operator key') && Date.now() < deadline) {
      if (server.child.exitCode !== null) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const { stdout } = server.output()
    expect(stdout).toContain(`Swagger UI:   http://127.0.0.1:${port}/docs`)
    expect(stdout).toContain('in-process SIMULATOR')
    const token = /Bearer (\S+)/.exec(stdout)?.[1] ?? ''
    expect(token).not.toBe('')

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
  })

  it('refuses to start in production without its configuration, naming every missing key', async () => {
    const server = startServer({ NODE_ENV: 'production' })
    expect(await server.exited).toBe(1)
    const { stderr } = server.output()
    for (const key of ['DATABASE_URL', 'PRIVY_BASE_URL', 'PRIVY_API_SECRET', 'OPS_API_KEY_HASHES']) {
      expect(stderr).toContain(key)
    }
  })
})
