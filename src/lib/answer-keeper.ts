import type { FastifyBaseLogger } from 'fastify'
import { isDatabaseUnavailable } from '../errors/database-errors.js'

/**
 * Privy's answer to a create (or its late answer) that could not be written because the database was
 * away. The answer carries what no later call can give back (the register or document token), so it
 * is kept in memory and written when the database returns. The write must be idempotent (the
 * repositories' guarded writes are: a row already settled is left as it is).
 */
export interface UnwrittenAnswer {
  /** One kept answer per row (`registration:<id>`): a newer answer for the row replaces the older. */
  key: string
  /** The only thing about the answer that is ever logged. */
  referenceNumber: string
  write: () => Promise<unknown>
}

export interface AnswerKeeperOptions {
  logger: FastifyBaseLogger
  /** At most this many answers are kept (about 2.2 KiB each, measured); past it, one is refused, loudly. */
  maxKept?: number
  /** First retry after this, doubling to maxDelayMs, each with up to 25 % jitter. */
  initialDelayMs?: number
  maxDelayMs?: number
  /** A write failing for another reason than an absent database is tried this many times in all. */
  maxOtherFailures?: number
  random?: () => number
}

interface Kept {
  answer: UnwrittenAnswer
  attempts: number
  otherFailures: number
  timer: NodeJS.Timeout | undefined
  running: Promise<void> | undefined
}

export const DEFAULT_MAX_KEPT_ANSWERS = 5_000

/**
 * Keeps unwritten Privy answers (memory only, bounded, never logged) and writes them when the database
 * returns: retried in the background with capped, jittered backoff. On close, one last try each, then
 * an error log naming only the reference numbers of what is still unwritten, for an operator to check
 * with Privy.
 */
export function createAnswerKeeper(options: AnswerKeeperOptions) {
  const { logger } = options
  const maxKept = options.maxKept ?? DEFAULT_MAX_KEPT_ANSWERS
  const initialDelayMs = options.initialDelayMs ?? 250
  const maxDelayMs = options.maxDelayMs ?? 10_000
  const maxOtherFailures = options.maxOtherFailures ?? 5
  const random = options.random ?? Math.random
  const kept = new Map<string, Kept>()
  let closed = false

  function delayOf(attempts: number): number {
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempts - 1))
    return Math.round(base * (1 + random() * 0.25))
  }

  function schedule(entry: Kept): void {
    if (closed) return
    clearTimeout(entry.timer)
    entry.timer = setTimeout(() => void attempt(entry), delayOf(entry.attempts))
    entry.timer.unref()
  }

  /** One write of a kept answer; whether it should be tried again. */
  async function tryOnce(entry: Kept): Promise<boolean> {
    entry.attempts++
    try {
      await entry.answer.write()
    } catch (error) {
      if (!isDatabaseUnavailable(error)) entry.otherFailures++
      if (entry.otherFailures < maxOtherFailures) return true
      if (kept.get(entry.answer.key) === entry) kept.delete(entry.answer.key)
      logger.error(
        { err: error, reference_number: entry.answer.referenceNumber },
        'a kept Privy answer could not be written and is given up: check this reference with Privy',
      )
      return false
    }
    if (kept.get(entry.answer.key) === entry) kept.delete(entry.answer.key)
    logger.info(
      { reference_number: entry.answer.referenceNumber, attempts: entry.attempts },
      "a kept Privy answer was written after the database's absence",
    )
    return false
  }

  /** One write at a time per answer; on failure it is scheduled again (unless a newer one replaced it). */
  function attempt(entry: Kept): Promise<void> {
    entry.running ??= tryOnce(entry).then((again) => {
      entry.running = undefined
      if (again && kept.get(entry.answer.key) === entry) schedule(entry)
    })
    return entry.running
  }

  /** Keeps an answer whose write just failed with `error`; returns whether it is kept. */
  function keep(answer: UnwrittenAnswer, error?: unknown): boolean {
    if (closed) {
      logger.error(
        { reference_numbers: [answer.referenceNumber] },
        "Privy's answer could not be written while the gateway stopped: check this reference with Privy",
      )
      return false
    }
    const previous = kept.get(answer.key)
    if (!previous && kept.size >= maxKept) {
      logger.error(
        { reference_number: answer.referenceNumber, kept: kept.size },
        "Privy's answer could not be written and too many are kept already: check this reference with Privy",
      )
      return false
    }
    if (previous) clearTimeout(previous.timer)
    const entry: Kept = {
      answer,
      attempts: 0,
      otherFailures: error !== undefined && !isDatabaseUnavailable(error) ? 1 : 0,
      timer: undefined,
      running: undefined,
    }
    kept.set(answer.key, entry)
    logger.warn(
      { reference_number: answer.referenceNumber, database_unavailable: isDatabaseUnavailable(error) },
      "Privy's answer could not be written: kept in memory, retried until the database is back",
    )
    schedule(entry)
    return true
  }

  return {
    keep,

    /**
     * Writes the answer now and returns what the write returned; if it fails, the answer is kept and
     * retried, and the failure is thrown on (the caller answers 503, and its retry finds the row settled).
     */
    async writeOrKeep<T>(answer: Omit<UnwrittenAnswer, 'write'> & { write: () => Promise<T> }): Promise<T> {
      try {
        return await answer.write()
      } catch (error) {
        keep(answer, error)
        throw error
      }
    },

    /** Writes the answer now; if that fails it is kept and retried. Never throws. */
    async write(answer: UnwrittenAnswer): Promise<void> {
      try {
        await answer.write()
      } catch (error) {
        keep(answer, error)
      }
    },

    /** Reference numbers of the answers still unwritten. */
    pending(): string[] {
      return [...kept.values()].map((entry) => entry.answer.referenceNumber)
    },

    /**
     * Stops retrying: one last try of each kept answer (while the database client is still open),
     * then an error log naming the reference numbers still unwritten.
     */
    async close(): Promise<void> {
      closed = true
      const entries = [...kept.values()]
      for (const entry of entries) clearTimeout(entry.timer)
      for (const entry of entries) {
        await entry.running
        if (kept.get(entry.answer.key) !== entry) continue
        try {
          await entry.answer.write()
          kept.delete(entry.answer.key)
        } catch {
          // Still unwritten: named below.
        }
      }
      const left = [...kept.values()].map((entry) => entry.answer.referenceNumber)
      kept.clear()
      if (left.length > 0) {
        logger.error(
          { reference_numbers: left },
          "Privy's answers could not be written before shutdown: check these references with Privy",
        )
      }
    },
  }
}

export type AnswerKeeper = ReturnType<typeof createAnswerKeeper>
