import type { FieldError } from '../errors/app-error.js'
import type { ErrorCode } from '../errors/error-codes.js'
import type { PdfInfo } from '../pdf/inspect.js'

/**
 * What the main thread sends a worker: the PDF and the limits. The PDF is either a copy (the caller
 * keeps its own) or, with `returnBytes`, the caller's own memory moved here and sent back with the
 * answer, so that no second copy of it exists at any moment (`PdfPool.inspectMoved`).
 */
export interface InspectJob {
  /** Announced back (`JobStarted`) the moment a worker starts it: its deadline starts then. */
  jobId: number
  bytes: Uint8Array
  limits: { maxPages: number; maxObjects: number; maxExpandedBytes?: number }
  returnBytes?: boolean
}

/** A refusal as it crosses the thread boundary (an Error's class does not survive a postMessage). */
export interface Refusal {
  code: ErrorCode
  detail: string
  errors: FieldError[]
}

/**
 * A worker's answer. It never throws for a bad PDF: the answer says whether the worker should be
 * retired (it hit a limit, or failed in a way nobody planned for) and how much heap it holds now.
 */
export type InspectOutcome = (
  | { ok: true; info: PdfInfo; heapUsed: number }
  | { ok: false; refusal: Refusal; retire: boolean; heapUsed: number; failure?: string }
) & { /** The job's bytes, moved back (`returnBytes`). */ bytes?: Uint8Array }

/** Posted by a worker as it starts a job, before anything that could block it. */
export interface JobStarted {
  pdfJobStarted: number
}

/** A text search (text-task.ts): the PDF, already inspected, and the tags to find on every page. */
export interface TextJob {
  jobId: number
  bytes: Uint8Array
  tags: string[]
  limits: InspectJob['limits']
}

/**
 * Where a tag was found: a box on a 1-based page in points from the top-left corner of the page as a
 * viewer shows it (after /Rotate, inside the CropBox), the same frame as a placement's.
 */
export interface TagHit {
  tag: string
  page: number
  x: number
  y: number
  width: number
  height: number
}

export type TextOutcome =
  | { ok: true; hits: TagHit[]; heapUsed: number }
  | { ok: false; refusal: Refusal; retire: boolean; heapUsed: number; failure?: string }

/**
 * A file the PDF library could not read: retired worker, a refusal that names `file`, and only the
 * error's class name as the failure, since library messages may quote the file's bytes.
 */
export function unreadableFile(
  error: unknown,
  message: string,
  heapUsed: number,
): { ok: false; refusal: Refusal; retire: true; heapUsed: number; failure: string } {
  return {
    ok: false,
    refusal: { code: 'UNPROCESSABLE', detail: `file ${message}`, errors: [{ path: 'file', message }] },
    retire: true,
    heapUsed,
    failure: error instanceof Error ? error.name : typeof error,
  }
}
