/** The documents module's public face: other modules and the app import only this file. */

export {
  createDocumentsModule,
  type DocumentJobs,
  type DocumentsModuleApi,
  openPdfFiles,
  type PdfFiles,
} from './documents.module.js'
export {
  createDocumentRepository,
  type DocumentRecord,
  type DocumentRepository,
} from './documents.repository.js'
export { documentRoutes } from './documents.routes.js'
export {
  E_METERAI_CATEGORIES,
  EMeteraiInputSchema,
  RoleNameSchema,
  signingFields,
  withSignerRules,
} from './documents.schemas.js'
export { createDocumentService } from './documents.service.js'
export { createDocumentSigning, type DocumentSigning, type SigningSeat } from './documents.signing.js'
export { createDocumentSync, type DocumentSync } from './documents.sync.js'
export type { TemplateCopy, TemplateSource } from './documents.types.js'
export { createDirectoryStore, type SignedPdfStore } from './signed-pdf-store.js'
