/**
 * What `npm run bench` reads around each load run: a process's CPU time (utime + stime from /proc,
 * Linux), the CPU of the PostgreSQL backends serving one application_name, and autocannon's figures.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type pg from 'pg'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) that process `pid` has used so far; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may itself hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

/** CPU so far of each backend connected as `applicationName`. */
export async function backendCpu(db: pg.Client, applicationName: string): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  )
  return new Map(rows.map((row) => [row.pid, cpuMs(row.pid)]))
}

/** CPU the backends used between two `backendCpu` readings (new backends count from their start). */
export function backendCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0)
  return spent
}

export interface LoadTarget {
  baseUrl: string
  headers: Record<string, string>
  method?: 'GET' | 'POST'
  /** The path of each request, in order: the n-th request asks for `path(n)`. */
  path: (n: number) => string
  body?: (n: number) => string
  /** Headers of the n-th request beside `headers` (an Idempotency-Key of its own). */
  headersFor?: (n: number) => Record<string, string>
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  /** Mean latency, ms: finer than autocannon's whole-millisecond percentiles for a few ms. */
  mean: number
  requests: number
  failed: number
}

/** One autocannon run: `durationS` seconds, or exactly `amount` requests when given. */
export async function load(
  target: LoadTarget,
  options: { connections: number; durationS: number; amount?: number },
): Promise<LoadResult> {
  let n = 0
  const result = await autocannon({
    url: target.baseUrl,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationS }),
    requests: [
      {
        method: target.method ?? 'GET',
        headers: target.headers,
        setupRequest: (request) => {
          const i = n++
          const body = target.body?.(i)
          const headers = target.headersFor ? { ...target.headers, ...target.headersFor(i) } : target.headers
          return { ...request, headers, path: target.path(i), ...(body === undefined ? {} : { body }) }
        },
      },
    ],
  })
  return {
    rps: result.requests.total / Math.max(0.001, result.duration),
    p50: result.latency.p50,
    mean: result.latency.mean,
    p99: result.latency.p99,
    requests: result.requests.total,
    failed: result.errors + result.non2xx + result.timeouts,
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** A fixed-width text table: the first row is the header. */
export function table(rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)))
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0))) ?? []
  return cells
    .map((row) => row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  '))
    .join('\n')
}
