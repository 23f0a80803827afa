import type { RejectCode, VerificationOutcome } from './outcomes.js'

/**
 * The simulator's whole memory, held in this process only. It does NOT survive a restart: stopping
 * the simulator (or `POST /__sim/reset`) forgets every token, registration, fault and logged request.
 * Contract §7 allows that when documented; a client holding a token from before a restart gets 401
 * and, per §2.1, fetches a new one.
 */

export type RegistrationType = 'landing_page' | 'privy_ra' | 'merchant_ra'
export type RegistrationStatus = 'pending' | 'waiting_otp' | 'waiting_verification' | 'verified' | 'rejected'

export interface SimRegistration {
  referenceNumber: string
  channelId: string
  registrationType: RegistrationType
  registerToken: string
  /**
   * The secret of the landing-page URL. Separate from the register token, because the URL is shown
   * to the end user while the register token is the merchant's server-side credential.
   */
  landingToken: string | undefined
  status: RegistrationStatus
  email: string
  phone: string
  name: string | undefined
  phoneVerified: boolean
  registrationUrl: string | undefined
  /**
   * Decided from the NIK when the registration arrives, so the NIK itself is never kept;
   * a resend (§3.4) with a corrected NIK recomputes it.
   */
  scriptedOutcome: VerificationOutcome
  privyId: string | undefined
  rejectReason: { code: RejectCode; reason: string } | undefined
  resend: boolean | undefined
  createdAt: Date
  updatedAt: Date
}

export interface IssuedToken {
  expiresAt: number
}

export type FaultKind = 'status' | 'malformed_json' | 'drop' | 'delay' | 'commit_then_timeout'

export interface Fault {
  id: string
  path: string
  kind: FaultKind
  /** Uses left; null means sticky (until `DELETE /__sim/faults` or a reset). */
  remaining: number | null
  status: number | undefined
  delayMs: number | undefined
}

/** What the request log keeps: never a body, a header value other than Request-ID, or a token. */
export interface RequestLogEntry {
  method: string
  path: string
  /** null while no answer was written, and for ever when the connection was dropped. */
  status: number | null
  request_id: string | null
  at: string
  fault: FaultKind | null
}

/** A long-running simulator must not grow without bound; tests never get near this. */
const REQUEST_LOG_LIMIT = 10_000

const key = (channelId: string, referenceNumber: string) => `${channelId}\u0000${referenceNumber}`

export class SimulatorState {
  /** By channel and reference number, which together are unique (§3.1). */
  readonly registrations = new Map<string, SimRegistration>()
  readonly tokens = new Map<string, IssuedToken>()
  readonly requests: RequestLogEntry[] = []
  faults: Fault[] = []
  // Later sections keep their own maps here and clear them in reset(): registration OTP
  // transactions (§4.1), documents and signing OTPs (§4.2, §5), callback deliveries (§6).

  addRegistration(registration: SimRegistration): void {
    this.registrations.set(key(registration.channelId, registration.referenceNumber), registration)
  }

  registration(channelId: string, referenceNumber: string): SimRegistration | undefined {
    return this.registrations.get(key(channelId, referenceNumber))
  }

  /** Reference numbers are unique per channel only, so one may name several registrations. */
  registrationsByReference(referenceNumber: string): SimRegistration[] {
    return [...this.registrations.values()].filter((item) => item.referenceNumber === referenceNumber)
  }

  registrationByToken(registerToken: string): SimRegistration | undefined {
    return [...this.registrations.values()].find((item) => item.registerToken === registerToken)
  }

  registrationByLandingToken(landingToken: string): SimRegistration | undefined {
    return [...this.registrations.values()].find((item) => item.landingToken === landingToken)
  }

  logRequest(entry: RequestLogEntry): void {
    this.requests.push(entry)
    if (this.requests.length > REQUEST_LOG_LIMIT)
      this.requests.splice(0, this.requests.length - REQUEST_LOG_LIMIT)
  }

  /** Forgets everything; `keepTokens` spares issued access tokens so a client need not re-authenticate. */
  reset(options: { keepTokens?: boolean } = {}): void {
    this.registrations.clear()
    if (!options.keepTokens) this.tokens.clear()
    this.requests.length = 0
    this.faults = []
  }
}
