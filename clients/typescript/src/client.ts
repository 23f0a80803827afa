import createClient, { type Client, type Middleware } from 'openapi-fetch'
import { type CallDefaults, transportFetch } from './call.js'
import type { paths } from './openapi-types.js'
import { Documents } from './resources/documents.js'
import { Events } from './resources/events.js'
import { PrivyCallbacks, WebhookDeliveries, WebhookEndpoints } from './resources/operators.js'
import { Otp } from './resources/otp.js'
import { Registrations } from './resources/registrations.js'
import { Templates } from './resources/templates.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js'

/** A bearer token, or a function giving the current one (called before every attempt). */
export type TokenSource = string | (() => string | Promise<string>)

export interface GatewayClientOptions {
  /** Where the gateway answers, e.g. `https://gateway.example.co.id`. */
  baseUrl: string
  /** An end user's JWT (`Authorization: Bearer`). */
  token?: TokenSource
  /** An operator's key (`X-API-Key`). */
  apiKey?: string
  /** Headers sent on every call. */
  headers?: Record<string, string>
  /** Per-attempt timeout; 0 for none. Default 60 s. */
  timeoutMs?: number
  /** Retries of a safe call (a read, or a POST with its Idempotency-Key). Default 3. */
  maxRetries?: number
  /** The rest of the retry policy (waits and backoff). */
  retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>
  /** A fetch of your own (a proxy-aware one, or a test's). */
  fetch?: (request: Request) => Promise<Response>
  /** How Idempotency-Keys are made; default `crypto.randomUUID()`. */
  newIdempotencyKey?: () => string
}

/**
 * The typed client: one object per caller (a user's token or an operator's key). Helpers throw
 * GatewayError subclasses; `raw` is the openapi-fetch client for anything else, typed from the same
 * document, answering `{data, error, response}` without throwing or retrying.
 */
export class GatewayClient {
  readonly raw: Client<paths>
  readonly registrations: Registrations
  readonly otp: Otp
  readonly documents: Documents
  readonly templates: Templates
  readonly events: Events
  readonly webhookEndpoints: WebhookEndpoints
  readonly webhookDeliveries: WebhookDeliveries
  readonly privyCallbacks: PrivyCallbacks

  constructor(options: GatewayClientOptions) {
    if (options.token !== undefined && options.apiKey !== undefined) {
      throw new TypeError('give a token or an apiKey, not both')
    }
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl,
      headers: options.headers,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      // An API call is never redirected; a redirect would mean a misconfigured base URL.
      redirect: 'error',
    })
    this.raw.use(authentication(options))
    const send = options.fetch ?? ((request: Request) => fetch(request))
    const defaults: CallDefaults = {
      fetch: transportFetch(send),
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry, maxRetries: options.maxRetries ?? 3 },
      timeoutMs: options.timeoutMs ?? 60_000,
      newIdempotencyKey: options.newIdempotencyKey ?? (() => crypto.randomUUID()),
    }
    const context = { http: this.raw, defaults }
    this.registrations = new Registrations(context)
    this.otp = new Otp(context)
    this.documents = new Documents(context)
    this.templates = new Templates(context)
    this.events = new Events(context)
    this.webhookEndpoints = new WebhookEndpoints(context)
    this.webhookDeliveries = new WebhookDeliveries(context)
    this.privyCallbacks = new PrivyCallbacks(context)
  }
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  return new GatewayClient(options)
}

function authentication(options: GatewayClientOptions): Middleware {
  const { token, apiKey } = options
  return {
    async onRequest({ request }) {
      // A header set for one call (a test probing another caller, say) wins over the client's.
      if (token !== undefined && !request.headers.has('authorization')) {
        const value = typeof token === 'string' ? token : await token()
        request.headers.set('authorization', `Bearer ${value}`)
      }
      if (apiKey !== undefined && !request.headers.has('x-api-key')) request.headers.set('x-api-key', apiKey)
      return request
    },
  }
}
