import { getHeapStatistics } from 'node:v8'
import { parentPort } from 'node:worker_threads'
import {
  type JobStarted,
  type Refusal,
  type TagHit,
  type TextJob,
  type TextOutcome,
  unreadableFile,
} from './jobs.js'
import { checkDecodedSize, TextBudgetError } from './text-budget.js'
import { findTags, type TextRun } from './text-match.js'

/**
 * Most characters of text read from one document [chosen]: a dense page holds about 4,000 (an estimate),
 * so 2,000 pages about 8 million; past it the file is refused as too complex rather than held in a heap.
 */
export const MAX_TEXT_CHARS = 10_000_000

/** Refused inside the task; the message is public (it names a limit, never the file's content). */
class TextLimitError extends Error {
  override name = 'TextLimitError'
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs')
let loaded: Promise<PdfJs> | undefined

/**
 * pdf.js's legacy build, the one meant for Node. Its "worker" is made to run on this very thread: the
 * worker module is loaded first and handed over as `globalThis.pdfjsWorker`, which pdf.js uses instead of
 * starting a thread of its own (this is already a pool thread, with its own deadline and heap cap).
 * Loaded at the first text job only, so a worker that only inspects never pays for it. Why pdf.js and
 * these options: docs/decisions/text-tags.md.
 */
function pdfjs(): Promise<PdfJs> {
  loaded ??= (async () => {
    // The worker module ships no type declarations; only its presence on globalThis matters.
    const workerModule: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs'
    const worker: unknown = await import(workerModule)
    ;(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker
    return import('pdfjs-dist/legacy/build/pdf.mjs')
  })()
  return loaded
}

/**
 * Runs in a PDF worker thread (loaded through worker.mjs, export `findText`): finds every tag on every
 * page of a PDF that `inspect` accepted already. Like inspect-task.ts it answers refusals as data and asks
 * for the worker to be retired after a limit or an error nobody planned for.
 */
export default async function findText(job: TextJob): Promise<TextOutcome> {
  parentPort?.postMessage({ pdfJobStarted: job.jobId } satisfies JobStarted)
  try {
    return { ok: true, hits: await search(job), heapUsed: heapUsed() }
  } catch (error) {
    if (error instanceof TextLimitError || error instanceof TextBudgetError) {
      const refusal: Refusal = {
        code: 'PDF_TOO_COMPLEX',
        detail: `file ${error.message}`,
        errors: [{ path: 'file', message: error.message }],
      }
      return { ok: false, refusal, retire: true, heapUsed: heapUsed() }
    }
    return unreadableFile(error, 'could not be read for its text', heapUsed())
  }
}

async function search(job: TextJob): Promise<TagHit[]> {
  // Measured first: pdf.js would hold every decoded stream whole, outside the heap cap.
  checkDecodedSize(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength))
  const { getDocument } = await pdfjs()
  const task = getDocument({
    // pdf.js may take over the buffer it is given; this one is the worker's own copy.
    data: job.bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    stopAtErrors: true,
    verbosity: 0,
  })
  const document = await task.promise
  try {
    if (document.numPages > job.limits.maxPages) {
      throw new TextLimitError(`has more than ${job.limits.maxPages.toLocaleString('en-US')} pages`)
    }
    const hits: TagHit[] = []
    let characters = 0
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number)
      const viewport = page.getViewport({ scale: 1 })
      const content = await page.getTextContent()
      const runs: TextRun[] = []
      for (const item of content.items) {
        if (!('str' in item)) continue
        characters += item.str.length
        runs.push({ str: item.str, transform: item.transform, width: item.width, height: item.height })
      }
      if (characters > MAX_TEXT_CHARS) {
        const most = MAX_TEXT_CHARS.toLocaleString('en-US')
        throw new TextLimitError(`holds more than ${most} characters of text, the most searched for tags`)
      }
      // The viewport is the page as pdf.js shows it: its view box (CropBox within MediaBox) turned by
      // /Rotate, origin at the top-left, which is the frame of every placement.
      const toVisible = (x: number, y: number) => viewport.convertToViewportPoint(x, y) as [number, number]
      hits.push(...findTags(runs, job.tags, number, toVisible))
      page.cleanup()
    }
    return hits
  } finally {
    await document.destroy()
  }
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size
}
