import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePorts } from '../../bench/processes.js'
import { type ServerProcess, spawnCollecting, startAndWait } from '../helpers/server-process.js'

// The README's walk-through cannot drift: its blocks marked ```sh readme-test are run, in order, by
// bash against a real start of the gateway on its embedded defaults, exactly as a reader pastes them.

const temporary: string[] = []
const running: ServerProcess[] = []
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL')
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

function readmeTestBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh readme-test\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
}

async function bash(script: string, env: Record<string, string>) {
  const run = spawnCollecting('bash', ['-c', script], { ...process.env, ...env })
  const code = await run.exited
  return { code, ...run.output() }
}

describe('README.md, walk through every flow', () => {
  it('its shell blocks run as written against `npm start` and say what the README says', async () => {
    const blocks = readmeTestBlocks(await readFile('README.md', 'utf8'))
    // The token block, the landing page (2), the OTP registration, two signers, after signing.
    expect(blocks.length).toBeGreaterThanOrEqual(6)
    const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-readme-'))
    temporary.push(dataDir)
    const [port = 0, simulatorPort = 0] = await freePorts(2)
    const server = await startAndWait({
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: dataDir,
      SIMULATOR_PORT: String(simulatorPort),
      LOG_LEVEL: 'warn',
    })
    running.push(server)
    expect(server.output().stdout).toContain(`Simulator:    http://127.0.0.1:${simulatorPort}`)

    const result = await bash(['set -euo pipefail', ...blocks].join('\n'), {
      GW: `http://127.0.0.1:${port}`,
      SIM: `http://127.0.0.1:${simulatorPort}`,
      PGLITE_DATA_DIR: dataDir,
    })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    const lines = result.stdout.split('\n')
    // The landing page: the first answer, then the statuses the comments promise.
    expect(result.stdout).toContain('"next_action": "open_registration_url"')
    expect(lines).toContain('waiting_verification')
    expect(result.stdout).toMatch(/"status": "verified",\s*"next_action": "none",\s*"privy_id": "\S+"/)
    // The OTP registration: the code read from the simulator validated, and Bob verified.
    expect(result.stdout).toMatch(/"status": "waiting_otp",\s*"next_action": "request_otp"/)
    expect(lines.filter((line) => line === 'validated')).toHaveLength(3)
    expect(result.stdout).toMatch(/Bob is verified as \S+/)
    // Two signers, then the signed PDF, a revoke, and the refusal of a second one.
    expect(result.stdout).toMatch(/"status": "completed",\s*"signers": \[\s*"signed",\s*"signed"\s*\]/)
    expect(lines).toContain('%PDF-')
    expect(lines).toContain('revoked')
    expect(lines).toContain('DOCUMENT_NOT_REVOCABLE')
    // Operator filters, the signer's view, a revoke with its reason and actor.
    expect(lines).toContain('{"owner":"user:alice","status":"verified"}')
    expect(lines.some((line) => /^[0-9a-f-]{36} Later$/.test(line))).toBe(true)
    expect(lines).toContain('registration.updated')
    expect(result.stdout).toMatch(
      /\{"description":"Revoked: The borrower withdrew the application","actor":"operator:[0-9a-f]{12}"\}/,
    )

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  }, 600_000)
})
