import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { PartBytes } from '../../src/http/part-bytes.js'
import { releaseBytes } from '../../src/lib/release-bytes.js'
import { createPdfPool, type PdfPool, type PdfPoolOptions } from '../../src/pdf-worker/pool.js'
import { numberFlood } from '../fixtures/pdf/hostile.js'
import * as pdfs from '../fixtures/pdf/pdfs.js'

/**
 * The pool as vitest runs it: the test's fork transforms TypeScript itself, which a worker thread does
 * not inherit, so these workers load the task through worker.mjs and tsx's API (the other two ways,
 * tsx and compiled, are in test/integration/pdf-worker-entry.test.ts).
 */

const pools: PdfPool[] = []
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()))
})

function pool(options: Partial<PdfPoolOptions> = {}): PdfPool {
  const created = createPdfPool({
    workers: 1,
    queueSize: 8,
    jobTimeoutMs: 60_000,
    maxHeapMb: 256,
    limits: { maxPages: 2_000, maxObjects: 500_000 },
    ...options,
  })
  pools.push(created)
  return created
}

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return {
    status: error.status,
    code: error.code,
    message: error.options.errors?.[0]?.message ?? error.message,
    retryAfterSeconds: error.options.retryAfterSeconds,
  }
}

/** Polls `read` until `done` holds (a worker's exit is reported asynchronously). */
async function until<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = read()
  while (!done(value) && Date.now() < deadline) {
    await sleep(20)
    value = read()
  }
  return value
}

describe('the PDF pool', () => {
  const shared = pool({ workers: 2, queueSize: 4 })

  it('inspects a PDF in a worker thread and answers its pages', async () => {
    expect(await shared.inspect(await pdfs.multiPage())).toMatchObject({ pageCount: 3 })
    expect(shared.stats().started).toBeGreaterThanOrEqual(1)
  })

  it("parses off the caller's thread: a timer set after the job starts fires before it ends", async () => {
    await shared.inspect(await pdfs.a4())
    const order: string[] = []
    // 490,000 numbers: under the object cap, and without a single yield inside the parse, so on
    // this thread nothing else could run until it was done.
    const job = shared.inspect(numberFlood(490_000)).then(() => order.push('inspection'))
    await sleep(0)
    order.push('timer')
    await job
    expect(order).toEqual(['timer', 'inspection'])
  })

  it('refuses a file past a limit with 422 PDF_TOO_COMPLEX and retires the worker that read it', async () => {
    const retired = shared.stats().retired
    expect(await failureOf(shared.inspect(numberFlood(600_000)))).toMatchObject({
      status: 422,
      code: 'PDF_TOO_COMPLEX',
      message: 'has more than 500,000 PDF objects, the most this gateway reads in one file',
    })
    expect(shared.stats().retired).toBe(retired + 1)
    expect(await shared.inspect(await pdfs.a4())).toMatchObject({ pageCount: 1 })
  })

  it('inspectMoved moves the bytes to the worker and back: the same bytes answered, no copy left behind', async () => {
    const pdf = await pdfs.multiPage()
    // A buffer of its own (the reader's), not a view into Node's pool of small Buffers.
    const own = Buffer.from(new Uint8Array(pdf).buffer)
    const { info, bytes } = await shared.inspectMoved(own)
    expect(info).toMatchObject({ pageCount: 3 })
    expect(bytes.equals(pdf)).toBe(true)
    // Moved, not copied: the caller's view is empty, the memory is the answer's now.
    expect(own.buffer.byteLength).toBe(0)
    expect(bytes.buffer.byteLength).toBe(pdf.length)
  })

  it('inspectMoved copies a view into a shared buffer rather than taking the memory of its neighbours', async () => {
    const pdf = await pdfs.a4()
    const backing = Buffer.alloc(pdf.length + 20, 7)
    pdf.copy(backing, 10)
    const view = backing.subarray(10, 10 + pdf.length)
    const { info, bytes } = await shared.inspectMoved(view)
    expect(info).toMatchObject({ pageCount: 1 })
    expect(bytes.equals(pdf)).toBe(true)
    expect(view.equals(pdf)).toBe(true)
    expect([backing[0], backing.at(-1)]).toEqual([7, 7])
  })

  it('inspectMoved moves an upload buffer the PDF fills only the start of, and it can be freed after', async () => {
    const pdf = await pdfs.multiPage()
    // As the upload reader leaves it: one buffer sized from the Content-Length, the file at its start
    // (the rest of the form, here 200 bytes, was not file).
    const declared = pdf.length + 200
    const reader = new PartBytes(10 * 1_048_576, declared)
    reader.push(pdf)
    const upload = reader.finish()
    expect(upload.buffer.byteLength).toBe(declared)
    const { info, bytes } = await shared.inspectMoved(upload)
    expect(info).toMatchObject({ pageCount: 3 })
    expect(bytes.equals(pdf)).toBe(true)
    // Moved whole, not copied: the caller's memory is gone, and the answer's is the same allocation.
    expect(upload.buffer.byteLength).toBe(0)
    expect(bytes.buffer.byteLength).toBe(declared)
    releaseBytes(bytes)
    expect(bytes.length).toBe(0)
  })

  it('inspectMoved answers a refusal as inspect does', async () => {
    expect(
      await failureOf(shared.inspectMoved(Buffer.from(new Uint8Array(pdfs.noPages()).buffer))),
    ).toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
      message: 'has no pages',
    })
  })

  it('answers a refusal that is not a limit as it is, keeping the worker', async () => {
    const retired = shared.stats().retired
    expect(await failureOf(shared.inspect(pdfs.noPages()))).toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
      message: 'has no pages',
    })
    expect(await failureOf(shared.inspect(Buffer.alloc(0)))).toMatchObject({ status: 400 })
    expect(shared.stats().retired).toBe(retired)
  })
})

describe('the PDF pool: deadline and recycling', () => {
  const recycling = pool({
    jobsPerWorker: 2,
    jobTimeoutMs: 1_000,
    limits: { maxPages: 2_000, maxObjects: 1e9 },
  })

  it('retires each worker after jobsPerWorker jobs and starts another', async () => {
    for (let i = 0; i < 5; i++) await recycling.inspect(await pdfs.a4())
    // Jobs 1-2 on the first worker, 3-4 on the second, 5 on a third.
    expect(recycling.stats()).toMatchObject({ retired: 2, started: 3 })
    await until(recycling.stats, (stats) => stats.threads === 1)
    expect(recycling.stats().threads).toBe(1)
  })

  it('terminates a job past its deadline (422 PDF_TOO_COMPLEX) and carries on with a new worker', async () => {
    const { started } = recycling.stats()
    // 4.9 million numbers take seconds to parse; the deadline is 1 s from the moment the job starts.
    expect(await failureOf(recycling.inspect(numberFlood(4_900_000)))).toMatchObject({
      status: 422,
      code: 'PDF_TOO_COMPLEX',
      message: 'took longer than 1 s to check',
    })
    expect(await recycling.inspect(await pdfs.a4())).toMatchObject({ pageCount: 1 })
    expect(recycling.stats().started).toBeGreaterThan(started)
  })
})

describe('the PDF pool: heap cap, queue bound and close', () => {
  const small = pool({ maxHeapMb: 40, queueSize: 1, limits: { maxPages: 2_000, maxObjects: 1e9 } })

  it('refuses past the heap cap (422), answers 503 with Retry-After past the queue, then recovers', async () => {
    // The first job waits for the worker to start, the second waits behind it: the queue is full.
    const heavy = failureOf(small.inspect(numberFlood(4_900_000)))
    const queued = small.inspect(await pdfs.a4())
    expect(await failureOf(small.inspect(await pdfs.a4()))).toEqual({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'Too many PDFs are being checked at the moment; retry shortly',
      retryAfterSeconds: 60,
    })
    expect(await heavy).toMatchObject({
      status: 422,
      code: 'PDF_TOO_COMPLEX',
      message: 'needs more than 40 MB of memory to check',
    })
    expect(await queued).toMatchObject({ pageCount: 1 })
  })

  it('answers 503 once closed', async () => {
    await small.close()
    expect(await failureOf(small.inspect(await pdfs.a4()))).toMatchObject({
      status: 503,
      message: 'The gateway is shutting down',
    })
  })
})
