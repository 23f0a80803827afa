import { z } from 'zod'
import { type ClientCore, performAttempt, withSafeRetries } from './attempt.js'

/** docs/privy-contract.md §2.1. */
export const TOKEN_PATH = '/oauth2/api/v1/token'
export const TOKEN_OPERATION = 'token'
/** Refresh once this share of the token's life has passed (docs/privy-contract.md §2.1: 80%). */
export const TOKEN_REFRESH_RATIO = 0.8
/** `expires_in` is only [seen] in the contract; when absent, assume its usual value (3600 s). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3_600

const TokenData = z.object({
  // Printable ASCII only: the token goes into a header, so a CR/LF must never get through.
  access_token: z.string().regex(/^[\x21-\x7e]+$/),
  token_type: z.string().optional(),
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().positive())
    .optional(),
  created_at: z.unknown().optional(),
})

export interface TokenManager {
  /** A valid access token: the cached one, or one shared fetch for all concurrent callers. */
  get(): Promise<string>
  /** Drops `token` after Privy refused it (401), unless a newer token has already replaced it. */
  invalidate(token: string): void
}

interface CachedToken {
  value: string
  refreshAt: number
}

export function createTokenManager(core: ClientCore): TokenManager {
  const { options } = core
  let cached: CachedToken | undefined
  let inFlight: Promise<string> | undefined

  async function fetchToken(): Promise<string> {
    // The token's life is counted from before the request, so network time never extends it.
    const issuedAt = options.now().getTime()
    let attempt = 0
    const data = await withSafeRetries(core, TOKEN_OPERATION, () => {
      attempt++
      const requestId = options.uuid()
      return performAttempt(core, {
        operation: TOKEN_OPERATION,
        path: TOKEN_PATH,
        requestId,
        attempt,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'request-id': requestId },
        body: JSON.stringify({
          client_id: options.clientId,
          client_secret: options.clientSecret,
          grant_type: 'client_credentials',
        }),
        data: TokenData,
        // A token fetch changes nothing the gateway tracks, and when it fails no API call was sent.
        forcedOutcome: 'not_applied',
        safe: true,
      })
    })
    const lifetimeMs = (data.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000
    cached = { value: data.access_token, refreshAt: issuedAt + lifetimeMs * TOKEN_REFRESH_RATIO }
    return data.access_token
  }

  return {
    get() {
      if (cached !== undefined && options.now().getTime() < cached.refreshAt)
        return Promise.resolve(cached.value)
      if (inFlight === undefined) {
        // A failed fetch is not cached: the next caller starts a new one.
        inFlight = fetchToken().finally(() => {
          inFlight = undefined
        })
      }
      return inFlight
    },
    invalidate(token) {
      if (cached?.value === token) cached = undefined
    },
  }
}
