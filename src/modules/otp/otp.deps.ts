import type { PrivyClient } from '../../privy/index.js'
import type { DocumentSigning } from '../documents/index.js'
import type { OtpLimits } from '../limits/index.js'
import type { RegistrationApi } from '../registration/index.js'
import type { OtpRepository } from './otp.repository.js'

export interface OtpServiceDeps {
  otps: OtpRepository
  registrations: RegistrationApi
  /** The documents module's signing rules: whose turn it is, and recording a signature. */
  signing: DocumentSigning
  privy: PrivyClient
  now: () => Date
  /** How long a late answer from Privy is waited for (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A send still `in_flight` after this long lost its request. */
  inFlightBudgetMs: number
  /** Abuse limits: every send and every check is counted before Privy is called. */
  limits: OtpLimits
}

/** Where a send request came from, for the per-address limit. */
export interface SendOrigin {
  /** `request.ip`: the socket's peer, or the client named by a trusted proxy (TRUST_PROXY). */
  ip: string
}
