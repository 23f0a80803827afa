import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'

// LOG_BUFFER_BYTES (src/logging.ts, docs/decisions/log-buffering.md): lines held in the buffer still
// reach stdout on every exit that runs JavaScript, and on a quiet process without any exit.
const LOGGING = new URL('../../src/logging.ts', import.meta.url).href

let child: ChildProcess | undefined
afterEach(() => {
  child?.kill('SIGKILL')
  child = undefined
})

/** A process that logs `lines` short info lines through a 4 KiB buffer, then runs `then`. */
function logThen(lines: number, then: string): ChildProcess {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOGGING)})
    const log = createLogger('info', undefined, { bufferBytes: 4096 })
    for (let i = 0; i < ${lines}; i++) log.info({ n: i }, 'held line')
    ${then}
  `
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return child
}

function outputOf(
  running: ChildProcess,
): Promise<{ lines: Array<{ msg: string; n?: number }>; code: number | null }> {
  let out = ''
  running.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8')
  })
  return new Promise((resolve) =>
    running.once('close', (code) => {
      const lines = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; n?: number })
      resolve({ lines, code })
    }),
  )
}

const heldLines = (lines: Array<{ msg: string; n?: number }>) =>
  lines.filter((line) => line.msg === 'held line').map((line) => line.n)

describe('buffered log lines (LOG_BUFFER_BYTES)', () => {
  it('are written when the process exits through process.exit', async () => {
    const { lines, code } = await outputOf(logThen(3, 'process.exit(3)'))
    expect(code).toBe(3)
    expect(heldLines(lines)).toEqual([0, 1, 2])
  })

  it('are written when the process dies of an uncaught error', async () => {
    const { lines, code } = await outputOf(logThen(3, "setImmediate(() => { throw new Error('boom') })"))
    expect(code).toBe(1)
    expect(heldLines(lines)).toEqual([0, 1, 2])
  })

  it('are written by a quiet process that does not exit (the periodic flush)', async () => {
    const running = logThen(2, 'setInterval(() => {}, 60_000)')
    const seen = await new Promise<string>((resolve) => {
      let out = ''
      running.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8')
        if (out.split('\n').filter((line) => line.includes('held line')).length === 2) resolve(out)
      })
    })
    // Two short lines are far below 4 KiB: only the periodic flush can have written them.
    expect(seen).toContain('"n":1')
    expect(running.exitCode).toBeNull()
  })
})
