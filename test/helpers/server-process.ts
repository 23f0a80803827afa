import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'

/** A child process whose output is collected as it comes; `exited` resolves with its exit code. */
export function spawnCollecting(command: string, args: string[], env: Record<string, string | undefined>) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
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

/** `npm start` as a user runs it: src/server.ts in its own process, configured only by its environment. */
export function startServer(env: Record<string, string>) {
  return spawnCollecting(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    PATH: process.env.PATH ?? '',
    ...env,
  })
}

export type ServerProcess = ReturnType<typeof startServer>

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
export async function untilStarted(
  child: ChildProcess,
  ready: () => boolean | Promise<boolean>,
): Promise<void> {
  const started = Date.now()
  let lastCpu = -1
  let lastProgress = Date.now()
  while (!(await ready()) && child.exitCode === null) {
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

/**
 * Starts the server and waits until it is ready to serve: its banner (printed once it listens), then
 * `/health/ready` answering 200 (the database opens after the server listens: src/plugins/startup.ts).
 */
export async function startAndWait(env: Record<string, string>): Promise<ServerProcess> {
  const server = startServer(env)
  const listening = () => /privy-gateway listening on (\S+)/.exec(server.output().stdout)?.[1]
  await untilStarted(server.child, () => listening() !== undefined)
  await untilStarted(server.child, async () => {
    const answer = await fetch(`${listening()}/health/ready`).catch(() => undefined)
    await answer?.body?.cancel()
    return answer?.status === 200
  })
  if (server.child.exitCode !== null) {
    throw new Error(`the server exited (${server.child.exitCode}): ${server.output().stderr}`)
  }
  return server
}
