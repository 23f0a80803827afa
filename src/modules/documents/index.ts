/** The documents module's public face: other modules and the app import only this file. */

export {
  createDocumentsModule,
  type DocumentJobs,
  type DocumentsModuleApi,
} from './documents.module.js'
export {
  createDocumentRepository,
  type DocumentRecord,
  type DocumentRepository,
} from './documents.repository.js'
export { documentRoutes } from './documents.routes.js'
export { createDocumentService } from './documents.service.js'
export { createDocumentSigning, type DocumentSigning, type SigningSeat } from './documents.signing.js'
export { createDocumentSync, type DocumentSync } from './documents.sync.js'
export { createDirectoryStore, type SignedPdfStore } from './signed-pdf-store.js'
