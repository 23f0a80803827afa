import type { FastifyBaseLogger } from 'fastify'

export interface BackgroundLoopOptions {
  name: string
  /** Pause between sweeps that found nothing to do. */
  intervalMs: number
  /** One sweep: returns how many items it worked on. A busy sweep is followed by another at once. */
  sweep: () => Promise<number>
  logger: FastifyBaseLogger
}

export interface BackgroundLoop {
  /** Runs the next sweep now instead of after the pause (e.g. right after new work was written). */
  wake(): void
  /** Stops scheduling and resolves when the running sweep, if any, has finished. */
  stop(): Promise<void>
}

/**
 * A sweep repeated until stopped. Sweeps never overlap within one process; across processes the
 * sweeps lease their rows in the database (`FOR UPDATE SKIP LOCKED`), so any number may run.
 */
export function startBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let wakeRequested = false

  const schedule = (delayMs: number) => {
    if (stopped) return
    clearTimeout(timer)
    // ±20 % jitter keeps several instances from sweeping in lockstep.
    const jittered = delayMs === 0 ? 0 : delayMs * (0.8 + Math.random() * 0.4)
    timer = setTimeout(run, jittered)
    timer.unref()
  }

  const run = () => {
    if (stopped || running) {
      wakeRequested = true
      return
    }
    running = (async () => {
      let worked = 0
      try {
        worked = await options.sweep()
      } catch (error) {
        // A failing sweep (database down) is retried after the pause; it never stops the loop.
        options.logger.warn({ err: error, job: options.name }, 'background sweep failed')
      }
      running = undefined
      const again = wakeRequested || worked > 0
      wakeRequested = false
      schedule(again ? 0 : options.intervalMs)
    })()
  }

  schedule(0)
  return {
    wake: () => {
      if (running) wakeRequested = true
      else schedule(0)
    },
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
