/** The documents module's public face: other modules and the app import only this file. */

export { createDocumentCache, type DocumentCache, withDocumentCache } from './documents.cache.js'
export { createDocumentLifecycle } from './documents.lifecycle.js'
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
