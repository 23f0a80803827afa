import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { request, WebSocket } from 'undici'
import { simulatorPrivyEnv } from '../src/simulator/dev-credentials.js'

/** A port that was free a moment ago, for a child process to listen on. */
export async function freePort(): Promise<number> {
  const [port = 0] = await freePorts(1)
  return port
}

/**
 * `count` distinct free ports: all are held open until every one is known, so two of them cannot be
 * the same port handed out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    return typeof address === 'object' && address ? address.port : 0
  })
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/**
 * Starts a TypeScript entry point in its own Node process, so it has its own event loop. `nodeArgs` go
 * to Node itself (before the entry), e.g. `--inspect=127.0.0.1:<port>` for `collectGarbage`; with an
 * inspector, its connect and disconnect notices are kept out of the child's stderr, the rest passes.
 */
export function startProcess(
  entry: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const inspected = nodeArgs.some((arg) => arg.startsWith('--inspect'))
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', childLog(), inspected ? 'pipe' : 'inherit'],
  })
  if (inspected && child.stderr) {
    createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (!INSPECTOR_NOTICE.test(line)) process.stderr.write(`${line}\n`)
    })
  }
  return child
}

/** How many queries the preloaded probe (contenders/probe.mjs) has counted in `child` so far. */
export function queriesOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const count = (message as { queries?: unknown }).queries
      if (typeof count !== 'number') return
      child.off('message', onMessage)
      resolve(count)
    }
    child.on('message', onMessage)
    child.send('queries?')
  })
}

/**
 * Where a bench process's stdout (its log lines) goes: nowhere, unless BENCH_LOG=<file> names a file to
 * append every process's lines to, to find out why a request did not get the answer the bench expects.
 */
export function childLog(): 'ignore' | number {
  return process.env.BENCH_LOG ? openSync(process.env.BENCH_LOG, 'a') : 'ignore'
}

/** Where Debian's libjemalloc2 puts the allocator (amd64, arm64); the image links one of them (Dockerfile). */
const JEMALLOC_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
]

export interface GatewayAllocator {
  name: 'jemalloc' | 'glibc'
  /** The gateway process's environment for it. */
  env: Record<string, string>
}

/**
 * The allocator the production image runs the gateway with: jemalloc, preloaded (Dockerfile, and
 * docs/decisions/upload-streaming.md, "The allocator", for why). A machine without libjemalloc2
 * (`apt-get install libjemalloc2`) runs glibc's, and the bench says so beside its figures;
 * BENCH_ALLOCATOR=glibc asks for glibc's anyway, BENCH_BASELINE_ALLOCATOR the baseline's (a pair of allocators).
 */
export function gatewayAllocator(wanted = process.env.BENCH_ALLOCATOR ?? 'jemalloc'): GatewayAllocator {
  const library = JEMALLOC_PATHS.find((path) => existsSync(path))
  // An empty LD_PRELOAD: a glibc process beside a jemalloc one (BENCH_BASELINE_ALLOCATOR) inherits none.
  if (wanted === 'glibc' || library === undefined) return { name: 'glibc', env: { LD_PRELOAD: '' } }
  return { name: 'jemalloc', env: { LD_PRELOAD: library } }
}

/**
 * Starts the compiled gateway, or with `baseline` the other build of a before/after pair
 * (BENCH_BASELINE_ENTRY), with the query-counting probe preloaded and an IPC channel to ask it. Each
 * side takes its entry, Node flags (BENCH_GATEWAY_NODE_ARGS, BENCH_BASELINE_NODE_ARGS: e.g. V8 heap
 * sizes) and allocator (gatewayAllocator; BENCH_BASELINE_ALLOCATOR) from the environment; `env` comes last.
 */
export function startCompiledGateway(env: Record<string, string>, baseline = false): ChildProcess {
  const entry = baseline
    ? process.env.BENCH_BASELINE_ENTRY
    : (process.env.BENCH_GATEWAY_ENTRY ?? 'dist/server.js')
  if (!entry) throw new Error('a baseline gateway needs BENCH_BASELINE_ENTRY')
  const nodeArgs = baseline ? process.env.BENCH_BASELINE_NODE_ARGS : process.env.BENCH_GATEWAY_NODE_ARGS
  const allocator = baseline ? gatewayAllocator(process.env.BENCH_BASELINE_ALLOCATOR) : gatewayAllocator()
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the gateway, written there when it stops.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []
  const flags = (nodeArgs ?? '').split(' ').filter((flag) => flag !== '')
  return spawn(process.execPath, [...flags, ...profile, '--import', './bench/contenders/probe.mjs', entry], {
    env: { ...process.env, ...allocator.env, ...env },
    stdio: ['ignore', childLog(), 'inherit', 'ipc'],
  })
}

const INSPECTOR_NOTICE =
  /^(Debugger listening on ws:|Debugger attached\.$|Debugger ending on ws:|For help, see: https:\/\/nodejs\.org\/\S+$)/

export async function waitUntilOk(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const response = await request(url)
      await response.body.dump()
      if (response.statusCode === 200) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))])
}

/** `databaseUrl` with `?schema=` set, so a bench's tables live apart from any other data. */
export function withSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl)
  url.searchParams.set('schema', schema)
  return url.toString()
}

/** Runs a TypeScript entry point (a CLI such as the migrator) and fails unless it exits 0. */
export async function runToCompletion(entry: string, env: Record<string, string>): Promise<void> {
  const child = startProcess(entry, env)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`${entry} exited with ${code}`)
}

/** A process's resident memory from /proc (Linux), in bytes: now (VmRSS) and its high-water mark (VmHWM). */
export interface ResidentMemory {
  rss: number
  hwm: number
}

export function readResidentMemory(pid: number): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s*(\\d+) kB$`, 'm').exec(status)
    if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${key}`)
    return Number(match[1]) * 1024
  }
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') }
}

/**
 * Sets the process's VmHWM back to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux ≥ 4.0),
 * so a later VmHWM is the peak of what came after. False where the kernel or permissions refuse it.
 */
export function resetPeakResidentMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/**
 * A full garbage collection in a process started with `--inspect=127.0.0.1:<inspectPort>`, asked for
 * over the DevTools protocol (HeapProfiler.collectGarbage), so its RSS can be read without garbage
 * that V8 would otherwise keep until its next major GC (a finished WebAssembly instance, say).
 */
export async function collectGarbage(inspectPort: number): Promise<void> {
  const listed = await request(`http://127.0.0.1:${inspectPort}/json/list`)
  const [target] = (await listed.body.json()) as Array<{ webSocketDebuggerUrl?: string }>
  if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${inspectPort}`)
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }))
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as { id?: number; error?: { message: string } }
        if (message.id !== 1) return
        if (message.error) reject(new Error(`HeapProfiler.collectGarbage: ${message.error.message}`))
        else resolve()
      }
      socket.onerror = () => reject(new Error(`inspector on port ${inspectPort} failed`))
    })
  } finally {
    const closed = new Promise((resolve) => {
      socket.onclose = resolve
    })
    socket.close()
    await Promise.race([closed, sleep(1_000)])
  }
}

export interface BenchStack {
  simulatorUrl: string
  gatewayUrl: string
  gateway: ChildProcess
  /** The `extraPorts` asked for. */
  extraPorts: number[]
  stop(): Promise<void>
}

/**
 * The simulator and the gateway, each in its own process (as in production, where Privy is another
 * machine), ready to serve. The gateway runs on a fresh PGlite directory, or on its own migrated
 * schema of DATABASE_URL (dropped by `stop` when `dropSchemaOnStop`), so a bench never touches other data.
 */
export async function startBenchStack(options: {
  jwtSecret: string
  schema: string
  gatewayEnv?: Record<string, string>
  gatewayNodeArgs?: (extraPorts: number[]) => string[]
  dropSchemaOnStop?: boolean
  logLevel?: string
  /** More free ports wanted (e.g. the gateway's inspector), distinct from the stack's own. */
  extraPorts?: number
}): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'privy-gateway-bench-'))
  const [simulatorPort = 0, gatewayPort = 0, ...extra] = await freePorts(2 + (options.extraPorts ?? 0))
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  const simulator = startProcess('src/simulator/server.ts', {
    SIM_HOST: '127.0.0.1',
    SIM_PORT: String(simulatorPort),
    LOG_LEVEL: 'warn',
  })
  const databaseUrl = process.env.DATABASE_URL ? withSchema(process.env.DATABASE_URL, options.schema) : ''
  let gateway: ChildProcess | undefined
  const stop = async () => {
    if (gateway) await stopProcess(gateway)
    await stopProcess(simulator)
    await rm(dataDir, { recursive: true, force: true })
    if (databaseUrl && options.dropSchemaOnStop) await dropBenchSchema(databaseUrl)
  }
  try {
    // A schema left by an earlier run (one that failed, or kept its schema) holds people and documents
    // that a new run would collide with (409): a bench that owns its schema starts from an empty one.
    if (databaseUrl && options.dropSchemaOnStop) await dropBenchSchema(databaseUrl)
    if (databaseUrl) await runToCompletion('src/cli/migrate.ts', { DATABASE_URL: databaseUrl })
    gateway = startProcess(
      'src/server.ts',
      {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        LOG_LEVEL: options.logLevel ?? 'warn',
        ...simulatorPrivyEnv(simulatorUrl),
        AUTH_JWT_SECRET: options.jwtSecret,
        PGLITE_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        ...options.gatewayEnv,
      },
      options.gatewayNodeArgs?.(extra),
    )
    await waitUntilOk(`${simulatorUrl}/__sim/health`)
    await waitUntilOk(`${gatewayUrl}/health/ready`, 60_000)
    return { simulatorUrl, gatewayUrl, gateway, extraPorts: extra, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function dropBenchSchema(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl)
  const schema = url.searchParams.get('schema')
  url.searchParams.delete('schema')
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}
