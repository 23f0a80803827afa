import type {
  Registration,
  RegistrationStatus,
  RegistrationType,
  SubmissionState,
} from '../../generated/prisma/client.js'
import type { ListFilters } from '../list-filters.js'
import type { SealedIdentity } from './registration.pii.js'

/**
 * A registration as the services see it: the sealed register token is opened on first read of
 * `registerToken` (a property that is not enumerable, so a spread, a log line or a JSON body never
 * carries it), and its ciphertext is not part of the record.
 */
export type RegistrationRecord = Omit<Registration, 'registerTokenSealed' | 'tokenKeyId'> & {
  readonly registerToken: string | null
}

export interface NewRegistration extends SealedIdentity {
  id: string
  /** By the service's clock, which the reconciler's in-flight budget is measured with. */
  createdAt: Date
  ownerId: string
  referenceNumber: string
  registrationType: RegistrationType
  status: RegistrationStatus
  emailMasked: string
  phoneMasked: string
  /** Keyed HMAC of the phone number, for the per-phone OTP limits. */
  phoneLookup?: string
  phonePrefixLookup?: string
  /** Keyed HMAC of the normalised email address, for the per-address email OTP limits. */
  emailLookup?: string
}

export interface UpstreamStatus {
  status: RegistrationStatus
  privyId: string | null
  rejectCode: string | null
  rejectReason: string | null
  canResend: boolean
  syncedAt: Date
  upstreamUpdatedAt: Date | null
}

export interface PageRequest extends ListFilters {
  /** Only rows in this submission state (operators look for `unresolved` ones). */
  submission?: Exclude<SubmissionState, 'failed'>
  status?: RegistrationStatus
  registrationType?: RegistrationType
  limit: number
  after?: { createdAt: Date; id: string }
}
