import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/config.js'

describe('PDF settings', () => {
  it('defaults: min(2, CPUs) workers, 32 waiting, 20 s a job, 256 MiB a worker, 2,000 pages, 500,000 objects', () => {
    const config = loadConfig({})
    expect(config.pdf).toEqual({
      workers: Math.min(2, availableParallelism()),
      queueSize: 32,
      jobTimeoutMs: 20_000,
      maxHeapMb: 256,
    })
    expect(config.documents).toMatchObject({ maxPages: 2_000, maxObjects: 500_000 })
  })

  it('reads each setting, an empty PDF_WORKERS meaning the default', () => {
    const config = loadConfig({
      PDF_WORKERS: '4',
      PDF_QUEUE_SIZE: '0',
      PDF_JOB_TIMEOUT_MS: '2500',
      PDF_WORKER_MAX_HEAP_MB: '512',
      DOCUMENT_MAX_PAGES: '50',
      DOCUMENT_MAX_OBJECTS: '1000',
    })
    expect(config.pdf).toEqual({ workers: 4, queueSize: 0, jobTimeoutMs: 2_500, maxHeapMb: 512 })
    expect(config.documents).toMatchObject({ maxPages: 50, maxObjects: 1_000 })
    expect(loadConfig({ PDF_WORKERS: '' }).pdf.workers).toBe(Math.min(2, availableParallelism()))
  })

  it('refuses values a pool cannot run with, naming each', () => {
    let caught: unknown
    try {
      loadConfig({
        PDF_WORKERS: '0',
        PDF_JOB_TIMEOUT_MS: 'soon',
        PDF_WORKER_MAX_HEAP_MB: '8',
        DOCUMENT_MAX_PAGES: '-1',
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const message = String((caught as ConfigError).message)
    for (const key of ['PDF_WORKERS', 'PDF_JOB_TIMEOUT_MS', 'PDF_WORKER_MAX_HEAP_MB', 'DOCUMENT_MAX_PAGES']) {
      expect(message).toContain(key)
    }
  })
})
