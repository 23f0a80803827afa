export { type ApiResult, GatewayRequest, type RequestOptions } from './call.js'
export { createGatewayClient, GatewayClient, type GatewayClientOptions, type TokenSource } from './client.js'
export {
  AuthenticationError,
  ConflictError,
  GatewayConnectionError,
  GatewayError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UpstreamError,
  ValidationError,
} from './errors.js'
export type {
  DocumentUpload,
  FileInput,
  RegistrationResendUpload,
  RegistrationUpload,
  TemplateUpload,
} from './multipart.js'
export { type Page, Paginator } from './pagination.js'
export { KEYED_OPERATIONS } from './resources/context.js'
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js'
export type * from './types.js'
export {
  type DocumentEventData,
  type RegistrationEventData,
  type VerifiedWebhook,
  type VerifyOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks.js'
