/** Public surface of the Privy client. Nothing outside src/privy imports its other files. */
export { createPrivyClient, type PrivyClient } from './client.js'
export { DEV_CREDENTIALS } from './dev-credentials.js'
export {
  answerUnreadable,
  PrivyApiError,
  PrivyAuthenticationError,
  PrivyBadRequestError,
  PrivyConflictError,
  PrivyConnectionError,
  PrivyError,
  type PrivyErrorDetails,
  type PrivyFieldError,
  PrivyLockedError,
  PrivyNotFoundError,
  type PrivyOutcome,
  PrivyPermissionDeniedError,
  PrivyRateLimitError,
  PrivyRedirectError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyTimeoutError,
  PrivyUnprocessableEntityError,
  type PrivyValidationIssue,
} from './errors.js'
export type {
  LateAnswer,
  LateAnswerFailure,
  LateAnswerHandler,
  LateAnswerSuccess,
  SideEffectOptions,
} from './late-answers.js'
export type { PrivyAttemptEvent, PrivyClientOptions } from './options.js'
export type {
  DocumentOtpRequestInput,
  DocumentOtpResource,
  DocumentOtpValidationResult,
} from './resources/document-otp.js'
export {
  type DocProcess,
  type DocumentHistoryEntry,
  type DocumentHistoryResult,
  type DocumentHistorySigner,
  type DocumentRecipient,
  type DocumentRef,
  type DocumentRevokeResult,
  type DocumentSigner,
  type DocumentStatusResult,
  type DocumentsResource,
  type DocumentUploadInput,
  type DocumentUploadResult,
  type EMeteraiInput,
  PDF_DATA_URL_PREFIX,
  type SignPosition,
  type SignProcess,
  type StampPosition,
  signedDocument,
} from './resources/documents.js'
export type {
  OtpResendInput,
  OtpValidateInput,
  OtpValidationResult,
  RegistrationOtpRequestInput,
  RegistrationOtpResource,
} from './resources/registration-otp.js'
export type {
  RegisterInput,
  RegisterResult,
  RegistrationRef,
  RegistrationResendInput,
  RegistrationResendResult,
  RegistrationStatusResult,
  RegistrationsResource,
  RegistrationType,
} from './resources/registrations.js'
export {
  DOCUMENT_STATUSES,
  type DocumentStatus,
  DocumentStatusSchema,
  Flag,
  type OtpChannel,
  type OtpTransaction,
  REGISTRATION_STATUSES,
  type RegistrationStatus,
  RegistrationStatusSchema,
  type RejectReason,
  SIGNER_STATUSES,
  type SignerStatus,
  SignerStatusSchema,
  type SignerType,
  SignerTypeSchema,
} from './schemas.js'
export {
  bodyMd5,
  canonicalBody,
  privyTimestamp,
  type SigningCredentials,
  signatureFor,
  signatureMatches,
  stringToSign,
  UNSIGNED_BODY_KEYS,
} from './signing.js'
export {
  DOC_PROCESS_CODES,
  type DocProcessName,
  SIGN_PROCESS_CODES,
  type SignProcessName,
} from './wire-codes.js'
