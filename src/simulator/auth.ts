import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { signatureMatches } from '../privy/index.js'
import type { SimContext } from './context.js'
import { parseIsoWithOffset } from './dates.js'
import { SimError } from './errors.js'
import { jsonObjectBody } from './json-body.js'

/** docs/privy-contract.md §2.1 token data. */
export interface IssuedTokenData {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  created_at: string
}

function sameSecret(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(received, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

export function clientCredentialsMatch(context: SimContext, clientId: string, clientSecret: string): boolean {
  // Both compared, always, so the answer time does not tell which one was wrong.
  const idMatches = sameSecret(context.credentials.clientId, clientId)
  const secretMatches = sameSecret(context.credentials.clientSecret, clientSecret)
  return idMatches && secretMatches
}

export function issueToken(context: SimContext): IssuedTokenData {
  const now = context.now().getTime()
  const { tokens } = context.state
  for (const [token, issued] of tokens) if (issued.expiresAt <= now) tokens.delete(token)
  const accessToken = randomBytes(32).toString('base64url')
  tokens.set(accessToken, { expiresAt: now + context.tokenTtlSeconds * 1000 })
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: context.tokenTtlSeconds,
    created_at: new Date(now).toISOString(),
  }
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

function checkBearer(context: SimContext, request: FastifyRequest): void {
  const header = singleHeader(request, 'authorization')
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header)
  if (!match?.[1]) throw new SimError(401, ['Missing Authorization: Bearer access token'])
  const issued = context.state.tokens.get(match[1])
  if (issued === undefined) throw new SimError(401, ['Unknown access token'])
  if (issued.expiresAt <= context.now().getTime()) throw new SimError(401, ['Access token expired'])
}

function checkTimestamp(context: SimContext, timestamp: string | undefined): string {
  if (timestamp === undefined) throw new SimError(401, ['Missing Timestamp header'])
  const sent = parseIsoWithOffset(timestamp)
  if (sent === undefined) throw new SimError(401, ['Timestamp must be ISO-8601 with an offset'])
  const skewSeconds = Math.abs(context.now().getTime() - sent) / 1000
  if (skewSeconds > context.timestampToleranceSeconds) {
    throw new SimError(401, [
      `Timestamp is more than ${context.timestampToleranceSeconds} s away from the server clock`,
    ])
  }
  return timestamp
}

/** Says whether the key or the HMAC is wrong: the two bugs a client author has to tell apart. */
function signatureMismatchReason(context: SimContext, signature: string): string {
  const decoded = Buffer.from(signature, 'base64').toString('utf8')
  const separator = decoded.indexOf(':')
  if (separator < 0) return 'Signature is not base64 of api_key:hmac'
  if (decoded.slice(0, separator) !== context.credentials.apiKey) return 'Signature names an unknown api_key'
  return 'Signature does not match (HMAC over Timestamp, api_key, method and body MD5)'
}

/**
 * The checks of docs/privy-contract.md §2.2/§2.3 for every `/web/api/v2/*` call, as a preValidation hook. On success the
 * parsed body object replaces the raw text, so handlers validate what was signed. Authentication is
 * checked before the body so that an unauthenticated caller learns nothing about body rules.
 */
export function signedRequestHook(context: SimContext) {
  return async (request: FastifyRequest): Promise<void> => {
    checkBearer(context, request)
    const timestamp = checkTimestamp(context, singleHeader(request, 'timestamp'))
    const body = jsonObjectBody(request)
    const signature = singleHeader(request, 'signature')
    if (signature === undefined) throw new SimError(401, ['Missing Signature header'])
    if (!signatureMatches(context.credentials, timestamp, body, signature)) {
      throw new SimError(401, [signatureMismatchReason(context, signature)])
    }
    request.body = body
  }
}
