import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { PrivyAttemptEvent } from '../privy/index.js'
import { createBacklogRepository } from './backlog.repository.js'
import { type DatabaseGaugeSources, registerDatabaseGauges } from './database-gauges.js'

/** Seconds; from a cached read (a few ms) to a Privy upload near its deadline. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
const PRIVY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120]

/**
 * What a Privy attempt came to, as an operator reads it: `ok` (2xx/3xx), `refused` (Privy answered
 * 4xx: nothing happened), `unknown` (no answer, a 5xx or an answer that could not be read: it may
 * have happened; the reconciler settles it).
 */
export type PrivyOutcomeLabel = 'ok' | 'refused' | 'unknown'

export function privyOutcome(event: Pick<PrivyAttemptEvent, 'status' | 'errorName'>): PrivyOutcomeLabel {
  const { status } = event
  if (status === undefined || status >= 500) return 'unknown'
  if (status >= 400) return 'refused'
  // A 2xx whose body failed its schema is an answer the gateway could not use.
  return event.errorName === undefined ? 'ok' : 'unknown'
}

/** Read on every scrape: the PDF worker pool and the database pool keep their own counts. */
export interface LiveSources {
  pdf?: () => {
    threads: number
    queued: number
    retired: number
    started: number
    jobs: { inspect: number; findText: number }
  }
  databasePool?: () => { total: number; idle: number; waiting: number; max: number }
}

/** What the gauges read at scrape time, known once the app has built its parts. */
export interface WatchedParts extends LiveSources {
  prisma: PrismaClient
  otpBudget?: DatabaseGaugeSources['otpBudget']
  now: () => Date
  /** How long one scrape may wait for the database gauges. @default 5000 */
  databaseTimeoutMs?: number
}

// Half of Prometheus's default scrape_timeout (10 s): the rest of the scrape still answers in time.
const DATABASE_GAUGES_TIMEOUT_MS = 5_000

/**
 * The gateway's Prometheus registry. One per app (tests build many in one process), never the
 * global one. The hot path (one HTTP request) costs one histogram observe on a child looked up in
 * nested maps: no label object or key string is built per request.
 */
export function createMetrics(options: { prefix?: string } = {}) {
  const prefix = options.prefix ?? 'privy_gateway_'
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  const http = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP requests by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  })
  const privyCalls = new Histogram({
    name: `${prefix}privy_request_duration_seconds`,
    help: 'Privy HTTP attempts by operation and outcome (ok, refused, unknown)',
    labelNames: ['operation', 'outcome'] as const,
    buckets: PRIVY_BUCKETS,
    registers: [registry],
  })
  const privyLate = new Counter({
    name: `${prefix}privy_late_answers_total`,
    help: 'Attempts that passed their deadline and were still listened to, by how the late window ended',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  })
  const tokenFetches = new Counter({
    name: `${prefix}privy_token_fetches_total`,
    help: 'Access-token fetches (cache misses and refreshes) by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  })
  const tokenRejected = new Counter({
    name: `${prefix}privy_token_rejected_total`,
    help: 'Calls Privy answered 401: the cached token was dropped and fetched again',
    registers: [registry],
  })

  const live: LiveSources = {}
  new Gauge({
    name: `${prefix}pdf_pool_jobs`,
    help: 'PDF worker pool: threads alive and jobs waiting for a worker',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const stats = live.pdf?.()
      if (!stats) return
      this.set({ kind: 'threads' }, stats.threads)
      this.set({ kind: 'queued' }, stats.queued)
    },
  })
  // Counters read from the pool's own totals on scrape (a Counter cannot be set, so the delta is added).
  let pdfSeen = { retired: 0, started: 0 }
  new Counter({
    name: `${prefix}pdf_pool_workers_total`,
    help: 'PDF worker threads started and retired (recycled after their job budget, a limit or a failure)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      const stats = live.pdf?.()
      if (!stats) return
      this.inc({ event: 'started' }, stats.started - pdfSeen.started)
      this.inc({ event: 'retired' }, stats.retired - pdfSeen.retired)
      pdfSeen = { retired: stats.retired, started: stats.started }
    },
  })
  let jobsSeen = { inspect: 0, findText: 0 }
  new Counter({
    name: `${prefix}pdf_jobs_total`,
    help:
      'Jobs handed to the PDF worker pool: inspect (the checks of an uploaded, template or signed PDF), ' +
      'find_text (a search for text tags)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const jobs = live.pdf?.().jobs
      if (!jobs) return
      this.inc({ kind: 'inspect' }, jobs.inspect - jobsSeen.inspect)
      this.inc({ kind: 'find_text' }, jobs.findText - jobsSeen.findText)
      jobsSeen = { ...jobs }
    },
  })
  new Gauge({
    name: `${prefix}database_pool_connections`,
    help: 'PostgreSQL connection pool: connections open, idle, callers waiting, and the maximum',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = live.databasePool?.()
      if (!stats) return
      this.set({ state: 'total' }, stats.total)
      this.set({ state: 'idle' }, stats.idle)
      this.set({ state: 'waiting' }, stats.waiting)
      this.set({ state: 'max' }, stats.max)
    },
  })
  type Child = { observe(value: number): void }
  const httpChildren = new Map<string, Map<string, Map<number, Child>>>()
  function httpChild(method: string, route: string, status: number): Child {
    let byMethod = httpChildren.get(route)
    if (!byMethod) {
      byMethod = new Map()
      httpChildren.set(route, byMethod)
    }
    let byStatus = byMethod.get(method)
    if (!byStatus) {
      byStatus = new Map()
      byMethod.set(method, byStatus)
    }
    let child = byStatus.get(status)
    if (!child) {
      child = http.labels(method, route, String(status))
      byStatus.set(status, child)
    }
    return child
  }

  let watching = false
  return {
    registry,
    /** Starts the gauges that read the app's parts on scrape; once per registry. */
    watch(parts: WatchedParts): void {
      if (watching) throw new Error('metrics.watch() called twice')
      watching = true
      live.pdf = parts.pdf
      live.databasePool = parts.databasePool
      registerDatabaseGauges(registry, prefix, {
        backlog: createBacklogRepository(parts.prisma),
        otpBudget: parts.otpBudget,
        now: parts.now,
        timeoutMs: parts.databaseTimeoutMs ?? DATABASE_GAUGES_TIMEOUT_MS,
      })
    },
    /** `route` is the route template (`/v1/registrations/:id`), never the URL: ids would explode the series. */
    observeRequest(method: string, route: string, status: number, seconds: number): void {
      httpChild(method, route, status).observe(seconds)
    },
    /** The Privy client's `onAttempt`: it never carries bodies, tokens or keys. */
    observePrivyAttempt(event: PrivyAttemptEvent): void {
      const outcome = privyOutcome(event)
      if (event.late) {
        privyLate.inc({ operation: event.operation, outcome })
        return
      }
      privyCalls.observe({ operation: event.operation, outcome }, event.durationMs / 1000)
      if (event.operation === 'token') tokenFetches.inc({ outcome })
      else if (event.status === 401) tokenRejected.inc()
    },
  }
}

export type GatewayMetrics = ReturnType<typeof createMetrics>
