/** Public surface of the Privy client. Nothing outside src/privy imports its other files. */
export { createPrivyClient, type PrivyClient } from './client.js'
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
  type OtpChannel,
  type OtpTransaction,
  REGISTRATION_STATUSES,
  type RegistrationStatus,
  type RejectReason,
  SIGNER_STATUSES,
  type SignerStatus,
  type SignerType,
} from './schemas.js'
export { canonicalBody, privyTimestamp, signatureFor, signatureMatches } from './signing.js'
