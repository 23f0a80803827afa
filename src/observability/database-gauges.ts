import { Counter, Gauge, type Registry } from 'prom-client'
import type { BacklogRepository, BacklogRow } from './backlog.repository.js'

export interface DatabaseGaugeSources {
  backlog: BacklogRepository
  /** OTP sends counted against today's merchant budget (UTC day), and the budget itself. */
  otpBudget?: { spent: () => Promise<number>; budget: number }
  now: () => Date
  /** A scrape waits at most this long for the database; past it these gauges are left out. */
  timeoutMs: number
}

/**
 * Gauges read from the database when Prometheus scrapes, never on a timer: an instance nobody
 * scrapes queries nothing. Every gauge's `collect` awaits the same read, so one scrape is one
 * statement (plus one indexed counter read for the OTP budget), whatever the number of gauges.
 * A read that fails or times out leaves these gauges out of that scrape and counts the failure, so
 * a stale value is never shown as a current one.
 */
export function registerDatabaseGauges(registry: Registry, prefix: string, sources: DatabaseGaugeSources) {
  const failures = new Counter({
    name: `${prefix}metrics_database_read_failures_total`,
    help: 'Scrapes whose database gauges could not be read in time',
    registers: [registry],
  })
  let reading: Promise<Snapshot | undefined> | undefined
  function snapshot(): Promise<Snapshot | undefined> {
    reading ??= read().finally(() => {
      reading = undefined
    })
    return reading
  }
  async function read(): Promise<Snapshot | undefined> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database gauges timed out')), sources.timeoutMs)
    })
    try {
      const [rows, spent] = await Promise.race([
        Promise.all([sources.backlog.read(sources.now(), sources.timeoutMs), sources.otpBudget?.spent()]),
        deadline,
      ])
      return { rows, spent }
    } catch {
      failures.inc()
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }

  /** A gauge set from the snapshot's rows named `metric`; a row's label holds its label values, `:`-separated. */
  function fromRows(name: string, help: string, metric: string, labelNames: string[] = []) {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const taken = await snapshot()
        this.reset()
        for (const row of taken?.rows ?? []) {
          if (row.metric !== metric) continue
          const values = row.label.split(':')
          this.set(
            Object.fromEntries(labelNames.map((label, index) => [label, values[index] ?? ''])),
            row.value,
          )
        }
      },
    })
  }
  fromRows(
    'webhook_outbox_pending',
    'Outbox events not yet fanned out into deliveries (capped)',
    'outbox_pending',
  )
  fromRows(
    'webhook_outbox_oldest_age_seconds',
    'Age of the oldest outbox event not yet fanned out (0: none)',
    'outbox_oldest_age',
  )
  fromRows(
    'webhook_deliveries_pending',
    'Webhook deliveries pending, due or scheduled (capped)',
    'deliveries_pending',
  )
  fromRows('webhook_deliveries_due', 'Webhook deliveries whose attempt is due now (capped)', 'deliveries_due')
  fromRows(
    'webhook_deliveries_oldest_due_age_seconds',
    'How long the most overdue webhook delivery has been due (0: none)',
    'deliveries_oldest_due_age',
  )
  fromRows('privy_callbacks', 'Privy callbacks stored, by state (capped per state)', 'callbacks', ['state'])
  fromRows(
    'submissions',
    'Creates whose Privy outcome is unknown, or unresolved (handed to an operator), by kind (capped)',
    'submissions',
    ['kind', 'state'],
  )
  fromRows(
    'unknown_submission_oldest_age_seconds',
    'Age of the oldest create whose Privy outcome is still unknown, by kind (0: none)',
    'unknown_oldest_age',
    ['kind'],
  )
  if (sources.otpBudget) {
    const { budget } = sources.otpBudget
    new Gauge({
      name: `${prefix}otp_sends_today`,
      help: 'OTP sends counted today (UTC) against the daily budget, and the budget (OTP_DAILY_BUDGET)',
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        const taken = await snapshot()
        this.reset()
        this.set({ kind: 'budget' }, budget)
        if (taken?.spent !== undefined) this.set({ kind: 'spent' }, taken.spent)
      },
    })
  }
}

interface Snapshot {
  rows: BacklogRow[]
  spent: number | undefined
}
