import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { AppError } from '../errors/app-error.js'
import { adoptBytes, ownsItsMemory } from '../lib/release-bytes.js'
import type { PdfInfo } from '../pdf/inspect.js'
import { tooComplexPdf, unprocessablePdf } from '../pdf/pdf-errors.js'
import type { InspectJob, InspectOutcome, JobStarted, TagHit, TextJob, TextOutcome } from './jobs.js'

export interface PdfPoolOptions {
  /** Worker threads at most (PDF_WORKERS). */
  workers: number
  /** Jobs waiting for a worker (PDF_QUEUE_SIZE); past it, 503 with Retry-After. */
  queueSize: number
  /** Most time one job may run (PDF_JOB_TIMEOUT_MS), from the moment a worker starts it. */
  jobTimeoutMs: number
  /** Old-generation heap cap of each worker (PDF_WORKER_MAX_HEAP_MB). */
  maxHeapMb: number
  /** What each inspection accepts (DOCUMENT_MAX_PAGES, DOCUMENT_MAX_OBJECTS). */
  limits: InspectJob['limits']
  /** A worker is retired after this many jobs. Default `JOBS_PER_WORKER`. */
  jobsPerWorker?: number
  logger?: { warn(object: object, message: string): void; error(object: object, message: string): void }
}

export interface PdfPool {
  /** Inspects a PDF in a worker: its pages, or the 4xx/503 AppError that refuses it. */
  inspect(bytes: Uint8Array): Promise<PdfInfo>
  /**
   * `inspect` without a copy: the bytes' memory moves to the worker and back (transfer), so `bytes` is
   * empty from this call on, whatever its outcome, and the answer carries them again. Only for a caller
   * that holds the one view of an unshared buffer (anything else is copied first, as `inspect` does).
   */
  inspectMoved(bytes: Buffer): Promise<{ info: PdfInfo; bytes: Buffer }>
  /** Finds each tag on every page of an inspected PDF (text-task.ts), under the same bounds. */
  findText(bytes: Uint8Array, tags: string[]): Promise<TagHit[]>
  /**
   * Workers alive, jobs waiting, workers retired and started so far, and the jobs handed to the pool
   * so far by kind: for /metrics, tests and the bench.
   */
  stats(): PdfPoolStats
  close(): Promise<void>
}

export interface PdfPoolStats {
  threads: number
  queued: number
  retired: number
  started: number
  jobs: { inspect: number; findText: number }
}

/**
 * Each worker is retired after this many jobs. pdf-lib interns every name and reference it parses in
 * maps that live as long as the thread; ordinary documents add mostly the same entries, so the maps
 * stop growing early, and what a hostile one adds retires its worker at once (below). The count is a
 * backstop for whatever else a long-lived parser thread accumulates. Starting a worker costs about
 * 0.5 s of CPU (measured here, compiled; mostly loading pdf-lib's modules), so 100 jobs make that about
 * 5 ms a job, next to tens of milliseconds for checking an ordinary upload.
 */
export const JOBS_PER_WORKER = 100
/**
 * A worker starting from TypeScript (tsx, vitest) takes 1–3 s on a busy machine, compiled far less;
 * a job whose worker has not started it by then is answered 503 rather than waited on forever.
 */
const START_TIMEOUT_MS = 30_000

const ENTRY = fileURLToPath(new URL('./worker.mjs', import.meta.url))

interface WorkerState {
  assigned: number
  finished: number
  retiring: boolean
}

interface Job {
  id: number
  controller: AbortController
  workerId?: number
  timer?: NodeJS.Timeout
  stage: 'queued' | 'starting' | 'running' | 'timed out' | 'not started'
}

type Balancer = NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']

/**
 * The bounded pool of worker threads (piscina) that reads every PDF the gateway touches, so that a
 * hostile file costs a worker, never the event loop: `workers` threads, at most `queueSize` waiting (then
 * 503), a deadline and a heap cap per job (then 422 PDF_TOO_COMPLEX), and workers retired through
 * piscina's load-balancer hook so no pdf-lib cache outlives its budget. docs/decisions/pdf-parsing.md
 * ("The worker pool") says why each bound.
 */
export function createPdfPool(options: PdfPoolOptions): PdfPool {
  const jobsPerWorker = options.jobsPerWorker ?? JOBS_PER_WORKER
  const heapBudget = (options.maxHeapMb * 1_048_576) / 2
  // By then every worker has finished or dropped what it held when the 503 was sent.
  const retryAfterSeconds = Math.max(1, Math.ceil(options.jobTimeoutMs / 1000))
  const workers = new Map<number, WorkerState>()
  const jobs = new Map<number, Job>()
  let nextJobId = 1
  let closed = false
  let retired = 0
  let started = 0
  const jobsRun = { inspect: 0, findText: 0 }

  const balance: Balancer = (task, candidates) => {
    for (const candidate of candidates) {
      if (candidate.currentUsage !== 0 || candidate.terminating || candidate.destroyed) continue
      let state = workers.get(candidate.id)
      if (!state) {
        state = { assigned: 0, finished: 0, retiring: false }
        workers.set(candidate.id, state)
      }
      if (state.retiring) continue
      state.assigned += 1
      if (state.assigned >= jobsPerWorker) state.retiring = true
      // The job id rides on the task as piscina's queue options, the one field a balancer is shown.
      const queued = (task as unknown as Record<symbol, { jobId?: number } | null>)[
        Piscina.queueOptionsSymbol
      ]
      const job = queued?.jobId === undefined ? undefined : jobs.get(queued.jobId)
      if (job) assign(job, candidate.id)
      return candidate
    }
    return null
  }

  // Created at the first PDF, so an instance that never reads one never starts a thread.
  let created: Piscina<InspectJob | TextJob, InspectOutcome | TextOutcome> | undefined
  function pool(): Piscina<InspectJob | TextJob, InspectOutcome | TextOutcome> {
    if (created) return created
    created = new Piscina<InspectJob | TextJob, InspectOutcome | TextOutcome>({
      filename: ENTRY,
      // As many as allowed, always: piscina then replaces a worker the moment one is retired or dies,
      // and the jobs waiting for it go to the new one.
      minThreads: options.workers,
      maxThreads: options.workers,
      maxQueue: options.queueSize,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
      loadBalancer: balance,
    })
    // Without a listener an 'error' event (a worker failing while idle) would throw in the process.
    created.on('error', (error: unknown) => options.logger?.error({ err: error }, 'PDF worker failed'))
    created.on('workerCreate', () => {
      started += 1
    })
    created.on('workerDestroy', (worker: { id: number }) => {
      workers.delete(worker.id)
    })
    created.on('message', (message: Partial<JobStarted> | null) => {
      const job = jobs.get(message?.pdfJobStarted ?? -1)
      if (job?.stage !== 'starting') return
      clearTimeout(job.timer)
      job.stage = 'running'
      job.timer = setTimeout(() => abort(job, 'timed out'), options.jobTimeoutMs)
    })
    return created
  }

  function assign(job: Job, workerId: number) {
    job.workerId = workerId
    job.stage = 'starting'
    job.timer = setTimeout(() => abort(job, 'not started'), START_TIMEOUT_MS)
  }

  function abort(job: Job, stage: 'timed out' | 'not started') {
    job.stage = stage
    // Piscina terminates the worker running an aborted job, and starts another when work comes.
    job.controller.abort()
  }

  /** A retiring worker that has finished everything it was given gets no more: terminate it. */
  function settle(workerId: number | undefined, retire: boolean) {
    const state = workerId === undefined ? undefined : workers.get(workerId)
    if (!state) return
    state.finished += 1
    if (retire) state.retiring = true
    if (!state.retiring || state.finished < state.assigned) return
    // Its state stays (retiring) until piscina reports the thread gone, so it is never picked again.
    retired += 1
    const thread = created?.threads.find((worker) => worker.threadId === workerId)
    thread?.terminate().catch(() => undefined)
  }

  const unavailable = (detail: string) => new AppError('SERVICE_UNAVAILABLE', { detail, retryAfterSeconds })
  const busy = () => unavailable('Too many PDFs are being checked at the moment; retry shortly')

  async function inspect(bytes: Uint8Array): Promise<PdfInfo> {
    return (await run<InspectOutcome>({ bytes, limits: options.limits })).info
  }

  async function inspectMoved(bytes: Buffer): Promise<{ info: PdfInfo; bytes: Buffer }> {
    // A view that shares its memory (Node's pool of small Buffers, a slice) cannot be moved alone; an
    // upload's own buffer moves whole, even when the file fills only its start (src/http/part-bytes.ts).
    const own = ownsItsMemory(bytes) ? bytes : new Uint8Array(bytes)
    const moved = { bytes: own, limits: options.limits, returnBytes: true }
    const outcome = await run<InspectOutcome>(moved, undefined, [own.buffer as ArrayBuffer])
    const back = outcome.bytes
    if (!back) throw new Error('the PDF worker did not send the bytes back')
    // Came back by transfer: this thread's alone, so `releaseBytes` may free it once Privy has it.
    return {
      info: outcome.info,
      bytes: adoptBytes(Buffer.from(back.buffer, back.byteOffset, back.byteLength)),
    }
  }

  async function findText(bytes: Uint8Array, tags: string[]): Promise<TagHit[]> {
    return (await run<TextOutcome>({ bytes, tags, limits: options.limits }, 'findText')).hits
  }

  /** One job of either kind (`name`: the worker entry's export), with every bound of the pool. */
  async function run<O extends InspectOutcome | TextOutcome>(
    payload: Omit<InspectJob, 'jobId'> | Omit<TextJob, 'jobId'>,
    name?: string,
    transferList?: ArrayBuffer[],
  ): Promise<Extract<O, { ok: true }>> {
    if (closed) throw unavailable('The gateway is shutting down')
    if (options.queueSize > 0 && (created?.queueSize ?? 0) >= options.queueSize) throw busy()
    const job: Job = { id: nextJobId++, controller: new AbortController(), stage: 'queued' }
    jobsRun[name === 'findText' ? 'findText' : 'inspect'] += 1
    jobs.set(job.id, job)
    const task = {
      jobId: job.id,
      ...payload,
      [Piscina.queueOptionsSymbol]: { jobId: job.id },
    }
    let outcome: O
    try {
      outcome = (await pool().run(task, {
        signal: job.controller.signal,
        ...(name ? { name } : {}),
        ...(transferList ? { transferList } : {}),
      })) as O
    } catch (error) {
      throw failureOf(job, error)
    } finally {
      clearTimeout(job.timer)
      jobs.delete(job.id)
    }
    settle(job.workerId, (!outcome.ok && outcome.retire) || outcome.heapUsed > heapBudget)
    if (outcome.ok) return outcome as Extract<O, { ok: true }>
    if (outcome.failure) options.logger?.warn({ failure: outcome.failure }, 'PDF check failed unexpectedly')
    throw new AppError(outcome.refusal.code, {
      detail: outcome.refusal.detail,
      errors: outcome.refusal.errors,
    })
  }

  /** Why a job never came back: its deadline, its worker's heap, a full queue, or a closing pool. */
  function failureOf(job: Job, error: unknown): AppError {
    if (job.stage === 'timed out') {
      return tooComplexPdf(`took longer than ${formatSeconds(options.jobTimeoutMs)} to check`, error)
    }
    if (job.stage === 'not started') return unavailable('The PDF checks are not available at the moment')
    if ((error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return tooComplexPdf(`needs more than ${options.maxHeapMb} MB of memory to check`, error)
    }
    if (closed) return unavailable('The gateway is shutting down')
    const message = error instanceof Error ? error.message : ''
    if (job.stage === 'queued' && /queue is at limit|no task queue/i.test(message)) return busy()
    // Its worker died some other way while on this job: the input's doing as far as anyone can tell,
    // so a 4xx, and a log line to find out.
    options.logger?.error({ err: error }, 'PDF worker died during a check')
    return unprocessablePdf('could not be read as a PDF', error)
  }

  return {
    inspect,
    inspectMoved,
    findText,
    stats: () => ({
      threads: created?.threads.length ?? 0,
      queued: created?.queueSize ?? 0,
      retired,
      started,
      jobs: { ...jobsRun },
    }),
    close: async () => {
      closed = true
      await created?.destroy()
    },
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`
}
