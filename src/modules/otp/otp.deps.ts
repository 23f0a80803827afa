import type { PrivyClient } from '../../privy/index.js'
import type { DocumentRepository, DocumentSync } from '../documents/index.js'
import type { OtpLimits } from '../limits/index.js'
import type { RegistrationRepository } from '../registration/index.js'
import type { OtpRepository } from './otp.repository.js'

export interface OtpServiceDeps {
  otps: OtpRepository
  registrations: RegistrationRepository
  documents: DocumentRepository
  documentSync: DocumentSync
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
