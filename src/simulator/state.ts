import type { AnswerStyle } from './answer-styles.js'
import type { SimDocument } from './document-types.js'
import type { RejectCode, VerificationOutcome } from './outcomes.js'

/**
 * The simulator's whole memory. In memory only, unless started with a `stateFile`
 * (persistence.ts: the embedded default keeps it beside the PGlite data, and `SIM_STATE_FILE` for
 * the standalone one), which keeps tokens, registrations, documents, OTPs and messages across a
 * restart; faults, settings, the request log and callbacks always start empty. `POST /__sim/reset`
 * forgets everything (the file too, at its next write). docs/privy-contract.md §7 allows a
 * forgetful simulator when documented; a client holding a token it no longer knows gets 401 and,
 * per docs/privy-contract.md §2.1, fetches a new one.
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
   * a resend (docs/privy-contract.md §3.4) with a corrected NIK recomputes it.
   */
  scriptedOutcome: VerificationOutcome
  privyId: string | undefined
  rejectReason: { code: RejectCode; reason: string } | undefined
  resend: boolean | undefined
  /**
   * The docs/privy-contract.md §3.3 status data at creation and after every change, oldest first: what Privy would have
   * said at the time, so `/__sim/callbacks/send` can replay a truly stale callback.
   */
  statusHistory: StatusSnapshot[]
  createdAt: Date
  updatedAt: Date
}

export interface StatusSnapshot {
  status: RegistrationStatus
  data: Readonly<Record<string, unknown>>
}

export interface IssuedToken {
  expiresAt: number
}

export type FaultKind =
  | 'status'
  | 'malformed_json'
  | 'malformed_data'
  | 'drop'
  | 'delay'
  | 'commit_then_timeout'

export interface Fault {
  id: string
  path: string
  kind: FaultKind
  /** Uses left; null means sticky (until `DELETE /__sim/faults` or a reset). */
  remaining: number | null
  status: number | undefined
  delayMs: number | undefined
  /** `malformed_data`: the members of `data` that survive (the others are removed). */
  keep: readonly string[] | undefined
  /** `status`: the `data` member of the error answer. */
  data?: Readonly<Record<string, number | string | boolean>> | undefined
}

/** What the request log keeps: never a body, a header value other than Request-ID, or a token. */
export interface RequestLogEntry {
  method: string
  path: string
  /** null while no answer was written, and for ever when the connection was dropped. */
  status: number | null
  request_id: string | null
  /** The W3C `traceparent` the caller sent (not a secret: ids of its trace and span). */
  traceparent: string | null
  at: string
  fault: FaultKind | null
}

/** Changeable at `/__sim/settings`; a reset goes back to the values the simulator started with. */
export interface SimSettings {
  verificationDelayMs: number | null
  callbackUrl: string | null
  callbackRetryBaseMs: number
  /** Time spent in each processing state of a document; 0 = at once, null = only when `/__sim` advances. */
  documentProcessingDelayMs: number | null
  /** How answers are worded (answer-styles.ts). */
  answerStyle: AnswerStyle
}

export type OtpChannel = 'sms' | 'email'

/** One OTP transaction (docs/privy-contract.md §4): its counters are its own, never shared with other transactions. */
interface OtpTransactionBase {
  transactionId: string
  channelId: string
  otpChannel: OtpChannel
  /** The code of the latest send only: a resend replaces it, so an earlier code stops working. */
  code: string
  sends: number
  wrongAttempts: number
  validatedAt: Date | undefined
  expiresAt: Date
  resendAvailableAt: Date
  createdAt: Date
}

/** docs/privy-contract.md §4.1: confirms the phone of one registration. */
export interface RegistrationOtpTransaction extends OtpTransactionBase {
  kind: 'registration'
  referenceNumber: string
}

/** docs/privy-contract.md §4.2: one signer signs one or more documents of one channel. */
export interface DocumentOtpTransaction extends OtpTransactionBase {
  kind: 'document_signing'
  signerPrivyId: string
  documentTokens: string[]
}

export type SimOtpTransaction = RegistrationOtpTransaction | DocumentOtpTransaction

/** An SMS or email the simulator "sent" instead of a real one (docs/privy-contract.md §7). */
export interface SimMessage {
  channel: OtpChannel
  to: string
  text: string
  transaction_id: string
  /** The registration of the person it went to (for a signing OTP: the signer's registration). */
  reference_number: string
  /** Signing OTPs (docs/privy-contract.md §4.2) only. */
  signer_privy_id?: string
  document_tokens?: string[]
  at: string
}

/** One attempt to deliver a docs/privy-contract.md §6 callback. */
export interface CallbackAttempt {
  /** Shared by the attempts of one delivery; a replay is a new delivery. */
  delivery_id: string
  event: string
  reference_number: string
  channel_id: string
  /** The status the callback's data carried, which `/__sim/callbacks/send` may have made stale. */
  status: string
  attempt: number
  /** null when no answer came (connection error, timeout). */
  http_status: number | null
  error: string | null
  at: string
}

/** A long-running simulator must not grow without bound; tests never get near this. */
const LOG_LIMIT = 10_000

function pushCapped<T>(log: T[], entry: T): void {
  log.push(entry)
  if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT)
}

const key = (channelId: string, referenceNumber: string) => `${channelId}\u0000${referenceNumber}`

export class SimulatorState {
  /** By channel and reference number, which together are unique (docs/privy-contract.md §3.1). */
  readonly registrations = new Map<string, SimRegistration>()
  readonly tokens = new Map<string, IssuedToken>()
  readonly requests: RequestLogEntry[] = []
  faults: Fault[] = []
  /** By transaction_id. */
  readonly otps = new Map<string, SimOtpTransaction>()
  readonly messages: SimMessage[] = []
  readonly callbacks: CallbackAttempt[] = []
  /** By channel and reference number, which together are unique (docs/privy-contract.md §5.1). */
  readonly documents = new Map<string, SimDocument>()
  settings: SimSettings

  constructor(private readonly defaultSettings: SimSettings) {
    this.settings = { ...defaultSettings }
  }

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

  /** The privy_id the simulator issued to a verified registration (docs/privy-contract.md §3.2). */
  registrationByPrivyId(privyId: string): SimRegistration | undefined {
    return [...this.registrations.values()].find(
      (item) => item.status === 'verified' && item.privyId === privyId,
    )
  }

  addDocument(document: SimDocument): void {
    this.documents.set(key(document.channelId, document.referenceNumber), document)
  }

  document(channelId: string, referenceNumber: string): SimDocument | undefined {
    return this.documents.get(key(channelId, referenceNumber))
  }

  documentsByReference(referenceNumber: string): SimDocument[] {
    return [...this.documents.values()].filter((item) => item.referenceNumber === referenceNumber)
  }

  documentByToken(documentToken: string): SimDocument | undefined {
    return [...this.documents.values()].find((item) => item.documentToken === documentToken)
  }

  documentBySigningToken(signingToken: string): SimDocument | undefined {
    return [...this.documents.values()].find((item) => item.signingToken === signingToken)
  }

  logRequest(entry: RequestLogEntry): void {
    pushCapped(this.requests, entry)
  }

  logMessage(message: SimMessage): void {
    pushCapped(this.messages, message)
  }

  logCallback(attempt: CallbackAttempt): void {
    pushCapped(this.callbacks, attempt)
  }

  /** Forgets everything; `keepTokens` spares issued access tokens so a client need not re-authenticate. */
  reset(options: { keepTokens?: boolean } = {}): void {
    this.registrations.clear()
    this.documents.clear()
    if (!options.keepTokens) this.tokens.clear()
    this.requests.length = 0
    this.faults = []
    this.otps.clear()
    this.messages.length = 0
    this.callbacks.length = 0
    this.settings = { ...this.defaultSettings }
  }
}
