import { DEV_CREDENTIALS } from './dev-credentials.js'
import { SimulatorState } from './state.js'

export interface SimulatorCredentials {
  clientId: string
  clientSecret: string
  apiKey: string
  apiSecret: string
}

export interface SimulatorChannel {
  channelId: string
  /** Privy enabled this channel as a Registration Authority, so `merchant_ra` is allowed (§3.1). */
  merchantRa: boolean
}

export interface SimulatorOptions {
  credentials?: SimulatorCredentials
  channels?: SimulatorChannel[]
  /** Base URL used in `registration_url`; default: the listening address (or the request's Host). */
  publicUrl?: string
  tokenTtlSeconds?: number
  timestampToleranceSeconds?: number
  now?: () => Date
  logger?: boolean
}

/** Everything a route or hook needs, passed explicitly instead of decorating Fastify's types. */
export interface SimContext {
  readonly credentials: SimulatorCredentials
  readonly channels: ReadonlyMap<string, SimulatorChannel>
  readonly tokenTtlSeconds: number
  readonly timestampToleranceSeconds: number
  readonly now: () => Date
  readonly state: SimulatorState
  /** Mutable because the listening address is known only after `listen`. */
  publicUrl: string | undefined
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
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    timestampToleranceSeconds: options.timestampToleranceSeconds ?? 300,
    now: options.now ?? (() => new Date()),
    state: new SimulatorState(),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
  }
}
