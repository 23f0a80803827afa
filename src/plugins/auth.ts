import { createHash, createPublicKey, type KeyObject, timingSafeEqual, webcrypto } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { errors as joseErrors, jwtVerify } from 'jose'
import type { Config } from '../config/config.js'
import { AppError } from '../errors/app-error.js'
import { noSuchRoute } from '../errors/error-handler.js'
import type { Principal } from '../lib/principal.js'
import { breaksTextRule } from '../lib/text.js'
import { verifiedTokenCache } from './verified-tokens.js'

export { ownerIdFor, ownerScope, type Principal } from '../lib/principal.js'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: onRequestHookHandler
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

interface VerificationKey {
  key: KeyObject | webcrypto.CryptoKey
  algorithms: string[]
}

/**
 * Imported once at start: jose would import raw secret bytes into WebCrypto on every call (README, Benchmark).
 */
async function verificationKey(jwt: Config['auth']['jwt']): Promise<VerificationKey> {
  if (jwt.publicKeyPem) {
    const key = createPublicKey(jwt.publicKeyPem)
    // One algorithm per key type: a token may never choose how it is verified.
    const algorithm = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256'
    return { key, algorithms: [algorithm] }
  }
  if (jwt.secret) {
    const key = await webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(jwt.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    return { key, algorithms: ['HS256'] }
  }
  throw new Error('JWT verification needs AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY')
}

/** Verified tokens remembered (each a hash and a principal): a few MiB at most. */
const MAX_REMEMBERED_TOKENS = 20_000

/** Bearer tokens longer than this are refused unread (8 KiB; Node refuses headers over 16 KiB itself). */
const MAX_TOKEN_LENGTH = 8 * 1024
/** The user id becomes the owner of what the user creates: an id, not a payload. */
const MAX_SUBJECT_LENGTH = 255

function unauthenticated(detail: string): AppError {
  return new AppError('UNAUTHENTICATED', { detail })
}

export const authPlugin = fp(
  async (app, options: { auth: Config['auth'] }) => {
    const { jwt, opsApiKeyHashes } = options.auth
    const key = await verificationKey(jwt)
    const apiKeyHashes = opsApiKeyHashes.map((hash) => Buffer.from(hash, 'hex'))
    const verified = verifiedTokenCache<Principal>(MAX_REMEMBERED_TOKENS)

    // One body for every refusal but expiry (which the holder can read in the token, and must act on):
    // a caller learns nothing about which check failed.
    const invalid = () => unauthenticated('The token is not valid')

    /** A token verified before is answered at once (no promise); a new one is verified by jose. */
    function verifyBearer(token: string): Principal | Promise<Principal> {
      // A user token is a few hundred bytes; a huge one is refused before any parsing or HMAC.
      if (token.length > MAX_TOKEN_LENGTH) throw invalid()
      return verified.get(token, Date.now()) ?? verifyNewBearer(token)
    }

    async function verifyNewBearer(token: string): Promise<Principal> {
      try {
        const { payload } = await jwtVerify(token, key.key, {
          algorithms: key.algorithms,
          issuer: jwt.issuer,
          audience: jwt.audience,
          requiredClaims: ['exp', 'sub'],
          // None: `exp` and `nbf` hold to the second. Skew is fixed at the clocks, not by widening every token.
          clockTolerance: 0,
        })
        // jose checks that `sub` is present, not its type: `{"sub": {}}` would otherwise become the
        // owner "user:[object Object]", shared by every such token.
        // It is stored as the owner of what the user creates: the text rule of every stored field holds.
        const subject: unknown = payload.sub
        if (
          typeof subject !== 'string' ||
          subject === '' ||
          subject.length > MAX_SUBJECT_LENGTH ||
          breaksTextRule(subject)
        )
          throw invalid()
        const principal: Principal = { kind: 'user', userId: subject }
        // `exp` is a required claim, so jose has checked that it is a number.
        verified.remember(token, principal, payload.exp as number)
        return principal
      } catch (error) {
        if (error instanceof AppError) throw error
        if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired')
        throw invalid()
      }
    }

    function verifyApiKey(apiKey: string): Principal {
      const digest = createHash('sha256').update(apiKey, 'utf8').digest()
      // Compare against every configured hash so timing does not tell which one matched.
      let matchIndex = -1
      apiKeyHashes.forEach((hash, index) => {
        if (hash.length === digest.length && timingSafeEqual(hash, digest)) matchIndex = index
      })
      if (matchIndex < 0) throw unauthenticated('The API key is not valid')
      return { kind: 'operator', operatorId: digest.toString('hex').slice(0, 12) }
    }

    /** Who sent the request; throws (or rejects) UNAUTHENTICATED. */
    function identify(request: FastifyRequest): Principal | Promise<Principal> {
      const authorization = request.headers.authorization
      const apiKey = request.headers['x-api-key']
      if (typeof authorization === 'string' && authorization.length > 0) {
        const match = /^Bearer ([^\s]+)$/i.exec(authorization)
        if (!match?.[1]) throw unauthenticated('Use "Authorization: Bearer <token>"')
        return verifyBearer(match[1])
      }
      if (typeof apiKey === 'string' && apiKey.length > 0) return verifyApiKey(apiKey)
      throw unauthenticated('Send a bearer token or an X-API-Key header')
    }

    app.decorateRequest('principal', null)
    // A callback hook: a poll with a token verified before (the hot path) passes without a promise.
    app.decorate('authenticate', function authenticate(request, _reply, done) {
      let principal: Principal | Promise<Principal>
      try {
        principal = identify(request)
      } catch (error) {
        return done(error as Error)
      }
      if (!(principal instanceof Promise)) {
        request.principal = principal
        return done()
      }
      principal.then(
        (verified) => {
          request.principal = verified
          done()
        },
        (error: Error) => done(error),
      )
    } satisfies onRequestHookHandler)
  },
  { name: 'auth', fastify: '5.x' },
)

/** The principal of an authenticated route; the route's preHandler guarantees it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated('Authentication is required')
  return request.principal
}

/**
 * An `onRequest` hook for operator routes (after `authenticate`): to an end user they do not exist,
 * with the very answer of a route that does not, before the body or query is even read.
 */
export async function operatorsOnly(request: FastifyRequest): Promise<void> {
  if (principalOf(request).kind !== 'operator') throw noSuchRoute(request)
}
