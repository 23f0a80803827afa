import type { FastifyBaseLogger } from 'fastify'
import type { PdfPool } from '../../pdf-worker/pool.js'
import type { SignedPdfStore } from '../documents/index.js'
import type { TemplateRepository } from './templates.repository.js'

/** What every template operation is built over. */
export interface TemplateServiceDeps {
  templates: TemplateRepository
  /** Reads PDFs in worker threads (src/pdf-worker/), with the upload's limits. */
  pdf: Pick<PdfPool, 'inspect' | 'inspectMoved' | 'findText'>
  /** The documents' PDF store: a template's PDFs are kept there by SHA-256, like signed PDFs. */
  store: SignedPdfStore
  now: () => Date
  /** Where a version's PDF found damaged in the store is reported. */
  logger: Pick<FastifyBaseLogger, 'error'>
}
