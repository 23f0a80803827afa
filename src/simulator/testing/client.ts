import { request } from 'undici'
import { z } from 'zod'
import { privyTimestamp, signatureFor } from '../../privy/index.js'
import type { SimulatorCredentials } from '../context.js'
import { DEV_CREDENTIALS } from '../dev-credentials.js'

/**
 * A minimal, deliberately independent Privy caller for tests of the simulator over a real socket:
 * it signs with the shared docs/privy-contract.md §2.3 code but lets a test override every header to probe refusals.
 */

export interface SimResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: unknown
}

export interface SendOptions {
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export interface SignedPostOptions {
  token?: string
  timestamp?: string
  signature?: string
  /** Headers to drop from the signed set, to test that their absence is refused. */
  omit?: string[]
  headers?: Record<string, string>
  /** Sent instead of the compact JSON of `body` (the signature still covers `body`). */
  bodyText?: string
  signal?: AbortSignal
}

const tokenAnswer = z.object({ data: z.object({ access_token: z.string() }) })

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export class SimulatorClient {
  private cachedToken: string | undefined

  constructor(
    readonly url: string,
    private readonly options: { credentials?: SimulatorCredentials; now?: () => Date } = {},
  ) {}

  private get credentials(): SimulatorCredentials {
    return this.options.credentials ?? DEV_CREDENTIALS
  }

  async send(method: 'GET' | 'POST' | 'DELETE', path: string, init: SendOptions = {}): Promise<SimResponse> {
    const response = await request(`${this.url}${path}`, {
      method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    })
    const text = await response.body.text()
    return { status: response.statusCode, headers: response.headers, text, json: parseJson(text) }
  }

  /** `POST /oauth2/api/v1/token` with the given (default: configured) client credentials. */
  async requestToken(clientId = this.credentials.clientId, clientSecret = this.credentials.clientSecret) {
    return this.send('POST', '/oauth2/api/v1/token', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'client_credentials',
      }),
    })
  }

  async token(): Promise<string> {
    if (this.cachedToken !== undefined) return this.cachedToken
    const response = await this.requestToken()
    const parsed = tokenAnswer.safeParse(response.json)
    if (response.status !== 201 || !parsed.success) {
      throw new Error(`token request failed: ${response.status} ${response.text}`)
    }
    this.cachedToken = parsed.data.data.access_token
    return this.cachedToken
  }

  /** A docs/privy-contract.md §2.2/§2.3 signed `POST`; any header can be overridden or left out. */
  async signedPost(path: string, body: Record<string, unknown>, options: SignedPostOptions = {}) {
    const timestamp = options.timestamp ?? privyTimestamp(this.options.now?.() ?? new Date())
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token ?? (await this.token())}`,
      timestamp,
      signature: options.signature ?? signatureFor(this.credentials, timestamp, body),
      'request-id': crypto.randomUUID(),
      'content-type': 'application/json',
      ...options.headers,
    }
    for (const name of options.omit ?? []) delete headers[name]
    return this.send('POST', path, {
      headers,
      body: options.bodyText ?? JSON.stringify(body),
      signal: options.signal,
    })
  }

  /** The `/__sim` test surface: JSON in, JSON out, no authentication. */
  async sim(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
    return this.send(method, path, {
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }
}
