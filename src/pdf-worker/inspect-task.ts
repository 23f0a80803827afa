import { getHeapStatistics } from 'node:v8'
import { parentPort } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { AppError } from '../errors/app-error.js'
import { inspectPdf } from '../pdf/inspect.js'
import { type InspectJob, type InspectOutcome, type JobStarted, unreadableFile } from './jobs.js'

/**
 * Runs in a PDF worker thread (loaded through worker.mjs): inspects one PDF. Refusals come back as
 * data; a limit hit, or an error nobody planned for, asks for this worker to be retired, since pdf-lib's
 * caches (and whatever state that error left) live as long as the thread.
 */
export default async function inspect(job: InspectJob): Promise<InspectOutcome> {
  parentPort?.postMessage({ pdfJobStarted: job.jobId } satisfies JobStarted)
  const outcome = await check(job)
  if (!job.returnBytes) return outcome
  // The bytes go back by transfer, as they came: the worker keeps no copy, and its parse (garbage now)
  // is left looking at an empty buffer.
  const moved = {
    [Piscina.transferableSymbol]: [job.bytes.buffer],
    [Piscina.valueSymbol]: { ...outcome, bytes: job.bytes },
  }
  return Piscina.move(moved as never) as unknown as InspectOutcome
}

async function check(job: InspectJob): Promise<InspectOutcome> {
  // A Buffer arrives as a plain Uint8Array; this views the same memory as a Buffer again, no copy.
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength)
  try {
    const info = await inspectPdf(bytes, job.limits)
    return { ok: true, info, heapUsed: heapUsed() }
  } catch (error) {
    if (error instanceof AppError) {
      const refusal = {
        code: error.code,
        detail: error.message,
        errors: error.options.errors ?? [],
      }
      return { ok: false, refusal, retire: error.code === 'PDF_TOO_COMPLEX', heapUsed: heapUsed() }
    }
    return unreadableFile(error, 'could not be read as a PDF', heapUsed())
  }
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size
}
