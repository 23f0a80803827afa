import type { AnswerKeeper } from '../../lib/answer-keeper.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import type { PrivyClient } from '../../privy/index.js'
import type { ImageLimits } from './registration.identity.js'
import type { RegistrationRepository } from './registration.repository.js'

export interface RegistrationServiceDeps {
  repository: RegistrationRepository
  privy: PrivyClient
  now: () => Date
  refreshAfterSeconds: number
  imageLimits: ImageLimits
  /** Privy enabled this merchant as a Registration Authority (registration_type merchant_ra). */
  merchantRaEnabled: boolean
  pii: PiiCipher
  /** How long a late answer from Privy is waited for before a retry probes (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A row still `in_flight` after this long lost its request (the instance died): see the reconciler. */
  inFlightBudgetMs: number
  /** Privy's answers that the database could not take, kept and written when it is back. */
  answers: AnswerKeeper
}
