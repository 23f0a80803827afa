// Times `npm start` from the outside: starts it, polls /health/live and /health/ready, prints how long
// each took to answer 200, then stops the gateway (SIGTERM to its process group) and exits.
//   node scripts/time-start.mjs [--until live|ready] [--fresh]
// --fresh starts on an empty PGlite data directory (removed first); without it the directory is kept.
// PORT (default 3900) and PGLITE_DATA_DIR (default ./data/time-start) are passed to the gateway.
// Wrap it in /usr/bin/time or hyperfine for whole-process figures.
import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { until: { type: 'string', default: 'ready' }, fresh: { type: 'boolean', default: false } },
})
if (values.until !== 'live' && values.until !== 'ready') throw new Error('--until is live or ready')
const port = process.env.PORT ?? '3900'
const dataDir = process.env.PGLITE_DATA_DIR ?? './data/time-start'
if (values.fresh) await rm(dataDir, { recursive: true, force: true })

const started = performance.now()
const child = spawn('npm', ['start', '--silent'], {
  env: { ...process.env, PORT: port, PGLITE_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
})
let exited = false
child.on('exit', () => {
  exited = true
})

/** Milliseconds from the start until `path` answers 200; polled every 25 ms, bounded by 300 s. */
async function answered(path) {
  while (performance.now() - started < 300_000) {
    if (exited) throw new Error('npm start exited before answering')
    const status = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.status)
      .catch(() => 0)
    if (status === 200) return Math.round(performance.now() - started)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`${path} did not answer 200 within 300 s`)
}

const result = {}
try {
  result.liveMs = await answered('/health/live')
  if (values.until === 'ready') result.readyMs = await answered('/health/ready')
} finally {
  if (!exited) process.kill(-child.pid, 'SIGTERM')
  // npm exits before the gateway it started has closed its port and data directory: wait for the group.
  while (groupAlive(child.pid)) await new Promise((resolve) => setTimeout(resolve, 25))
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}
process.stdout.write(`${JSON.stringify({ fresh: values.fresh, ...result })}\n`)
