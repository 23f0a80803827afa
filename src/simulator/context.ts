import type { AnswerStyle } from './answer-styles.js'
import { DEV_CREDENTIALS } from './dev-credentials.js'
import { SimEvents } from './events.js'
import { type SimSettings, SimulatorState } from './state.js'

export interface SimulatorCredentials {
  clientId: string
  clientSecret: string
  apiKey: string
  apiSecret: string
}

export interface SimulatorChannel {
  channelId: string
  /** Privy enabled this channel as a Registration Authority, so `merchant_ra` is allowed (docs/privy-contract.md §3.1). */
  merchantRa: boolean
}

/** The merchant's enterprise account, which must own every uploaded document (docs/privy-contract.md §5.1 `doc_owner`). */
export interface SimulatorEnterprise {
  privyId: string
  enterpriseToken: string
}

export interface SimulatorOptions {
  credentials?: SimulatorCredentials
  channels?: SimulatorChannel[]
  /** Default: DEV_CREDENTIALS.enterprisePrivyId / enterpriseToken. */
  enterprise?: SimulatorEnterprise
  /**
   * Base URL used in `registration_url` and `signing_url`; default: the listening address (or the
   * request's Host).
   */
  publicUrl?: string
  tokenTtlSeconds?: number
  timestampToleranceSeconds?: number
  now?: () => Date
  logger?: boolean
  /**
   * Verify a registration (by its scripted outcome) this long after it enters waiting_verification;
   * null or absent: only `POST /__sim/registrations/:ref/verify` does. Changeable at `/__sim/settings`.
   */
  verificationDelayMs?: number | null
  /** Where docs/privy-contract.md §6 callbacks go; absent: none are sent. Changeable at `/__sim/settings`. */
  callbackUrl?: string | null
  /** First wait before a callback is retried, doubling each time (default 1000). */
  callbackRetryBaseMs?: number
  /**
   * Time a document spends in each processing state (docs/privy-contract.md §5.2). 0 (default): the whole chain runs
   * inside the call that triggered it, so tests are deterministic; null: it waits for
   * `POST /__sim/documents/:ref/advance`. Changeable at `/__sim/settings`.
   */
  documentProcessingDelayMs?: number | null
  /** How answers are worded (answer-styles.ts); default `contract`. Changeable at `/__sim/settings`. */
  answerStyle?: AnswerStyle
  /**
   * Keep the state in this file and load it at start (persistence.ts), so a restart forgets nothing;
   * absent: memory only. Only `startSimulator` reads it.
   */
  stateFile?: string
  /** Told when the state file cannot be read or written (never with its content). */
  onStateWarning?: (message: string, details?: Record<string, unknown>) => void
}

/** Everything a route or hook needs, passed explicitly instead of decorating Fastify's types. */
export interface SimContext {
  readonly credentials: SimulatorCredentials
  readonly channels: ReadonlyMap<string, SimulatorChannel>
  readonly enterprise: SimulatorEnterprise
  readonly tokenTtlSeconds: number
  readonly timestampToleranceSeconds: number
  readonly now: () => Date
  readonly state: SimulatorState
  readonly events: SimEvents
  /** Mutable because the listening address is known only after `listen`. */
  publicUrl: string | undefined
}

export const DEFAULT_CALLBACK_RETRY_BASE_MS = 1000

/** The settings a reset goes back to: the ones the simulator was started with. */
function defaultSettings(options: SimulatorOptions): SimSettings {
  return {
    verificationDelayMs: options.verificationDelayMs ?? null,
    callbackUrl: options.callbackUrl ?? null,
    callbackRetryBaseMs: options.callbackRetryBaseMs ?? DEFAULT_CALLBACK_RETRY_BASE_MS,
    documentProcessingDelayMs:
      options.documentProcessingDelayMs === undefined ? 0 : options.documentProcessingDelayMs,
    answerStyle: options.answerStyle ?? 'contract',
  }
}

/** `POST /__sim/reset`: forget the state, then stop the timers that acted on it. */
export function resetSimulator(context: SimContext, options: { keepTokens?: boolean } = {}): void {
  context.state.reset(options)
  context.events.reset()
}

export function createContext(options: SimulatorOptions): SimContext {
  const channels = options.channels ?? [{ channelId: DEV_CREDENTIALS.channelId, merchantRa: true }]
  return {
    credentials: options.credentials ?? {
      clientId: DEV_CREDENTIALS.clientId,
      clientSecret: DEV_CREDENTIALS.clientSecret,
      apiKey: DEV_CREDENTIALS.apiKey,
      apiSecret: DEV_CREDENTIALS.apiSecret,
    },
    channels: new Map(channels.map((channel) => [channel.channelId, channel])),
    enterprise: options.enterprise ?? {
      privyId: DEV_CREDENTIALS.enterprisePrivyId,
      enterpriseToken: DEV_CREDENTIALS.enterpriseToken,
    },
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    timestampToleranceSeconds: options.timestampToleranceSeconds ?? 300,
    now: options.now ?? (() => new Date()),
    state: new SimulatorState(defaultSettings(options)),
    events: new SimEvents(),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
  }
}
