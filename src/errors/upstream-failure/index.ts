// The one place where a Privy outcome becomes an API error: the generic mapping and what every call
// shares (general.ts), then what Privy's answers mean per operation family. Services call these
// named functions; none of them reads a Privy status or error class to pick an API error itself.

export { revokeRefusal } from './documents.js'
export {
  asAppError,
  type CreateFailure,
  type FollowedResource,
  fromPrivyError,
  heldByPrivy,
  heldByPrivyPending,
  operationPending,
  outcomeUnknown,
  recordCreateFailure,
  refusedData,
  rejectionOr,
  rethrowAsAppError,
  unreadable,
  upstreamRejected,
} from './general.js'
export {
  alreadyValidated,
  countedByPrivy,
  expired,
  locked,
  otpOutcomeUnknown,
  otpPending,
  otpSendRefusal,
  otpValidationRefusal,
  type PendingStep,
  privyResendWaitSeconds,
  secondsUntil,
  tooEarly,
  type ValidationMark,
} from './otp.js'
export { registrationResendRefusal } from './registrations.js'
