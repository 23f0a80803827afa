import { AppError } from '../../errors/app-error.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import type { CounterHit, CounterWindow, LimitsDb, LimitsRepository } from './limits.repository.js'

/** One limit: at most `max` hits per window of `windowSeconds`. */
export interface LimitRule {
  /** Stable, in the problem's `limit` member and in every bucket: e.g. `otp_sends_per_phone_per_hour`. */
  name: string
  max: number
  windowSeconds: number
  /**
   * `sliding`: any span of `windowSeconds` (estimated from this window's count and the previous
   * one's, weighted by how much of it the span still covers), so a burst across a window's end does
   * not get twice the limit. `fixed`: calendar windows (a budget per UTC day), or from `anchor`.
   */
  window: 'sliding' | 'fixed'
  code: 'OTP_RATE_LIMITED' | 'OTP_BUDGET_EXHAUSTED'
  /** The limit in words, for the problem's detail: e.g. `3 OTP sends per phone number per hour`. */
  description: string
  /** Seconds a refused caller is asked to wait, when not the end of the window (checks in flight). */
  retryAfterSeconds?: number
}

/** A rule applied to one subject (a user, an IP address, a phone's lookup hash, the merchant). */
export interface Charge {
  rule: LimitRule
  subject: string
  /**
   * Windows are counted from this instant (default: the Unix epoch, so hours start on the hour and
   * days at 00:00 UTC); a per-transaction count is anchored at the transaction's creation.
   */
  anchor?: Date
}

/** Hits that were counted; given back when what they counted did not happen (no SMS went out). */
export interface Taken {
  /** The count of each charge's window including this hit, in the order charged. */
  counts: number[]
  release(): Promise<void>
}

export interface LimitsServiceDeps {
  repository: LimitsRepository
  pii: PiiCipher
  now: () => Date
}

/**
 * Window counters in PostgreSQL, shared by every instance. A hit is counted before the work it
 * guards (an SMS), so a burst of concurrent requests cannot all pass: each gets its own count back
 * from one atomic statement, and the ones past the limit are refused and given back.
 */
export function createLimitsService(deps: LimitsServiceDeps) {
  const { repository, pii, now } = deps

  function windowOf(charge: Charge, at: Date): CounterWindow {
    const windowMs = charge.rule.windowSeconds * 1000
    const anchorMs = charge.anchor?.getTime() ?? 0
    const startMs = anchorMs + Math.floor((at.getTime() - anchorMs) / windowMs) * windowMs
    return {
      // The subject is a keyed HMAC here: no phone number, user id or IP address is stored in clear.
      bucket: `${charge.rule.name}:${pii.lookupHash('rate-limit', charge.rule.name, charge.subject)}`,
      windowStart: new Date(startMs),
      // A sliding limit still reads this window as "the previous one" during the next.
      expiresAt: new Date(startMs + (charge.rule.window === 'sliding' ? 2 : 1) * windowMs),
      previousStart: new Date(startMs - windowMs),
    }
  }

  return {
    /**
     * Counts one hit on every charge, or none: when any limit is past its maximum, every hit is given
     * back and a 429 names the limit that frees last, with `Retry-After` until it does. Given `db`, the
     * transaction of the work the hits guard, a refusal leaves the giving back to its rollback (the
     * caller must let the 429 end the transaction), and concurrent takers only ever see counts of work
     * that was committed: none is refused for a hit that is about to be given back.
     */
    async take(charges: Charge[], db?: LimitsDb): Promise<Taken> {
      const at = now()
      const windows = charges.map((charge) => windowOf(charge, at))
      const hits = await repository.hit(windows, db)
      const counts = hits.map((hit) => hit.count)
      const refused = charges
        .map((charge, index) => ({
          charge,
          window: windows[index] as CounterWindow,
          hit: hits[index] ?? { count: 0, previous: 0 },
        }))
        .filter(({ charge, window, hit }) => estimate(charge.rule, window, hit, at) > charge.rule.max)
      let released = false
      const release = async () => {
        if (released) return
        released = true
        await repository.release(windows)
      }
      if (refused.length === 0) return { counts, release }
      if (db === undefined) await release()
      const waits = refused.map(({ charge, window, hit }) => ({
        rule: charge.rule,
        seconds: charge.rule.retryAfterSeconds ?? secondsUntilAllowed(charge.rule, window, hit, at),
      }))
      const longest = waits.reduce((a, b) => (b.seconds > a.seconds ? b : a))
      throw new AppError(longest.rule.code, {
        detail: `${refusalReason(longest.rule)}: at most ${longest.rule.description}; try again in ${longest.seconds} s`,
        retryAfterSeconds: longest.seconds,
        extensions: { limit: longest.rule.name },
      })
    },

    /** The current count of a charge's window, for operators and tests. */
    async count(charge: Charge): Promise<number> {
      const window = windowOf(charge, now())
      return repository.count(window.bucket, window.windowStart)
    },

    /** Deletes counters whose window has ended (a background loop); returns how many. */
    purgeExpired: () => repository.purgeExpired(now()),
  }
}

export type LimitsService = ReturnType<typeof createLimitsService>

/** Hits in the span of one window that ends now: exact for a fixed window, weighted for a sliding one. */
function estimate(rule: LimitRule, window: CounterWindow, hit: CounterHit, at: Date): number {
  if (rule.window === 'fixed') return hit.count
  const windowMs = rule.windowSeconds * 1000
  const elapsed = at.getTime() - window.windowStart.getTime()
  return (hit.previous * (windowMs - elapsed)) / windowMs + hit.count
}

/** When a refused caller's next hit would be allowed, as Retry-After seconds (at least 1). */
function secondsUntilAllowed(rule: LimitRule, window: CounterWindow, hit: CounterHit, at: Date): number {
  const windowMs = rule.windowSeconds * 1000
  const start = window.windowStart.getTime()
  const end = start + windowMs
  // The refused hit is given back: what stays is the count before it.
  const current = hit.count - 1
  let allowedAt = end
  if (rule.window === 'sliding') {
    // In this window, once the previous window's weight has shrunk enough; else in the next one,
    // once this window's own count has.
    const room = rule.max - current - 1
    const within = room >= 0 && hit.previous > 0 ? start + windowMs * (1 - room / hit.previous) : Infinity
    allowedAt =
      within < end ? within : end + (current > 0 ? Math.max(windowMs * (1 - (rule.max - 1) / current), 0) : 0)
  }
  return Math.max(Math.ceil((allowedAt - at.getTime()) / 1000), 1)
}

function refusalReason(rule: LimitRule): string {
  return rule.code === 'OTP_BUDGET_EXHAUSTED' ? 'The OTP budget is spent' : 'Too many OTP requests'
}
