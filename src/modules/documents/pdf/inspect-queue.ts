import { inspectPdf, type PdfInfo } from './inspect.js'

/**
 * pdf-lib keeps what it parses alive in process-wide caches and parses on the event loop, so
 * inspections run at most `concurrency` at a time: twenty uploads at once queue here instead of
 * holding twenty parsed documents. (Isolating inspection in a recycled worker is the fuller fix.)
 */
export function createInspectionQueue(concurrency = 2) {
  let running = 0
  const waiting: Array<() => void> = []

  async function run(bytes: Buffer): Promise<PdfInfo> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
    running += 1
    try {
      return await inspectPdf(bytes)
    } finally {
      running -= 1
      waiting.shift()?.()
    }
  }

  return { inspect: run }
}
