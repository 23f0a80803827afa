/** The idempotency module's public face: other modules and the app import only this file. */
export { createIdempotencyModule } from './idempotency.module.js'
export { createIdempotencyRepository } from './idempotency.repository.js'
export { IdempotencyKeyHeaderSchema } from './idempotency.schemas.js'
export {
  createIdempotencyService,
  type IdempotencyClaim,
  type IdempotencyService,
} from './idempotency.service.js'
export {
  bindIdempotencyKey,
  type IdempotencyKeyRef,
  idempotencyKeyTake,
  keyTakingTransaction,
  takeIdempotencyKey,
  unbindTakenKey,
} from './idempotency.take.js'
