import type { SignedPdfStoreConfig } from '../../config/config.js'
import type { PrismaClient } from '../../generated/prisma/client.js'
import { createPdfPool, type PdfPool } from '../../pdf-worker/pool.js'
import type { GatewayModule, ModuleContext } from '../context.js'
import type { IdempotencyService } from '../idempotency/index.js'
import type { RegistrationApi } from '../registration/index.js'
import { createDocumentCache, type DocumentCache, withDocumentCache } from './documents.cache.js'
import { createDocumentRepository, type DocumentRepository } from './documents.repository.js'
import { documentRoutes } from './documents.routes.js'
import { createDocumentService } from './documents.service.js'
import { createDocumentSigning, type DocumentSigning } from './documents.signing.js'
import { createDocumentSync, type DocumentSync } from './documents.sync.js'
import type { TemplateSource } from './documents.types.js'
import { createPostgresStore } from './signed-pdf.repository.js'
import { createS3Store } from './signed-pdf-s3.js'
import { createDirectoryStore, type SignedPdfStore } from './signed-pdf-store.js'

/** What the app's background jobs (src/jobs) may do with documents: lease, settle, refresh. */
export type DocumentJobs = Pick<
  DocumentRepository,
  'leaseUnsettled' | 'markUnresolved' | 'markOutcome' | 'leaseStale'
> &
  Pick<DocumentSync, 'refresh'>

export interface DocumentsModuleApi {
  /** Kept current by the app's record-change listener (src/db/record-cache-listener.ts). */
  recordCache: DocumentCache
  /** The signing rules the OTP module asks: whose turn it is, and recording a signature. */
  signing: DocumentSigning
  applyCallback: DocumentSync['applyCallback']
  pdfStats: PdfPool['stats']
  jobs: DocumentJobs
}

/**
 * The PDF worker pool and the PDF store, shared by documents and templates (which keeps its PDFs in the
 * same store, by SHA-256). The documents module closes them, after the requests drained.
 */
export interface PdfFiles {
  pdf: PdfPool
  store: SignedPdfStore
  close(): Promise<void>
}

export function openPdfFiles(ctx: ModuleContext, signedPdfStore?: SignedPdfStore): PdfFiles {
  const { config } = ctx
  // Every PDF the gateway reads is read here, in worker threads; closed after the requests drain.
  const pdf = createPdfPool({
    ...config.pdf,
    limits: { maxPages: config.documents.maxPages, maxObjects: config.documents.maxObjects },
    logger: ctx.logger,
  })
  const signed = signedPdfStore
    ? { store: signedPdfStore, close: () => undefined }
    : openSignedPdfStore(config.documents.signedPdfStore, ctx.database.prisma)
  return {
    pdf,
    store: signed.store,
    close: async () => {
      await pdf.close()
      signed.close()
    },
  }
}

/** Documents: PDFs read in worker threads, sent to Privy for signing, and followed until signed. */
export function createDocumentsModule(
  ctx: ModuleContext,
  deps: {
    idempotency: IdempotencyService
    registrations: RegistrationApi
    files: PdfFiles
    templates: TemplateSource
  },
): GatewayModule<DocumentsModuleApi> {
  const { config, privy, now, pii, answers, inFlightBudgetMs } = ctx
  const { lateAnswerMs } = config.privy
  // Status reads served from memory while nothing changed (README, Benchmark: "The record cache").
  const recordCache = createDocumentCache(config.database.recordCache)
  const documents = withDocumentCache(
    createDocumentRepository(ctx.database.prisma, pii, ctx.database.raw),
    recordCache,
  )
  const { pdf, store } = deps.files
  const sync = createDocumentSync({
    documents,
    privy,
    now,
    refreshAfterSeconds: config.registration.refreshAfterSeconds,
  })
  const service = createDocumentService({
    documents,
    registrations: deps.registrations,
    privy,
    sync,
    now,
    pii,
    pdf,
    lateAnswerMs,
    inFlightBudgetMs,
    answers,
    store,
    templates: deps.templates,
  })
  return {
    routes: async (app) => {
      await app.register(documentRoutes, {
        service,
        idempotency: deps.idempotency,
        limits: { maxBytes: config.documents.maxBytes, maxMetadataBytes: 64 * 1024 },
      })
    },
    api: {
      recordCache,
      signing: createDocumentSigning({ documents, sync, now }),
      applyCallback: sync.applyCallback,
      pdfStats: () => pdf.stats(),
      jobs: {
        leaseUnsettled: documents.leaseUnsettled,
        markUnresolved: documents.markUnresolved,
        markOutcome: documents.markOutcome,
        leaseStale: documents.leaseStale,
        refresh: sync.refresh,
      },
    },
    loops: [],
    close: () => deps.files.close(),
  }
}

/** The store config.documents.signedPdfStore names (README "Signed PDFs"). */
function openSignedPdfStore(
  config: SignedPdfStoreConfig,
  prisma: PrismaClient,
): { store: SignedPdfStore; close(): void } {
  if (config.kind === 's3') return createS3Store(config)
  const store =
    config.kind === 'directory' ? createDirectoryStore(config.directory) : createPostgresStore(prisma)
  return { store, close: () => undefined }
}
