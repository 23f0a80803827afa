import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import { ownerIdFor, principalOf } from '../../plugins/auth.js'
import { canonicalContent } from './canonical-content.js'
import type { IdempotencyKeyRef, IdempotencyRepository } from './idempotency.repository.js'

/** What an operation learns about the key it runs under. */
export interface IdempotencyClaim {
  readonly key: string
  /** The key's row, for a repository that binds it inside the transaction that creates the resource. */
  readonly ref: IdempotencyKeyRef
  /** Records the row the operation created or acts on, so that a retry can settle through it. */
  bind(resourceId: string): Promise<void>
  /** A repository bound the key with `bindIdempotencyKey` in its own transaction. */
  boundInTransaction(resourceId: string): void
}

export interface OperationResult {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export interface IdempotentOperation {
  /**
   * What makes two requests the same: their parsed content (fields, and files as buffers), not
   * their bytes. Kept only as a keyed HMAC: it may hold a NIK or an OTP code.
   */
  content: unknown[]
  execute(claim: IdempotencyClaim | undefined): Promise<OperationResult>
  /**
   * Settles an operation whose outcome was left unknown, through the row it bound (an operation that
   * bound none is simply executed). Throws OPERATION_PENDING while the answer may still come.
   */
  resume(resourceId: string, claim: IdempotencyClaim): Promise<OperationResult>
}

/**
 * What becomes of the key once the response is known; `running` while the operation has not ended
 * (an answer sent then, by the request deadline, must leave the key to the operation).
 */
type Disposition = 'running' | 'store' | 'unknown' | 'release'

interface ActiveKey {
  ownerId: string
  key: string
  boundResourceId: string | null
  disposition: Disposition
  /** The caller was answered while the operation still ran (the request deadline). */
  answeredEarly: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: ActiveKey | null
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key'

export interface IdempotencyServiceDeps {
  repository: IdempotencyRepository
  now: () => Date
  ttlHours: number
  /** A request holds its key at most this long; a crashed instance's hold then runs out. */
  leaseMs: number
  /** Keyed HMAC of the request content (PII_LOOKUP_KEY). */
  fingerprint: (canonicalContent: string) => string
}

/**
 * Stripe's Idempotency-Key semantics for every POST that can reach Privy: the first final response
 * is kept and replayed byte for byte (`Idempotent-Replayed: true`); the same key with other content
 * is 422; while the first runs, 409; an outcome that is not known is settled by the retry, never
 * rerun blindly.
 */
export function createIdempotencyService(deps: IdempotencyServiceDeps) {
  const { repository, now } = deps

  /** Stores or releases the key with the response, once the response is serialised. */
  function install(app: FastifyInstance): void {
    app.decorateRequest('idempotencyKey', null)
    app.addHook('onSend', async (request, reply, payload) => {
      const active = request.idempotencyKey
      if (!active) return payload
      request.idempotencyKey = null
      if (active.disposition === 'running') {
        // Answered by the request deadline while the operation goes on: it settles the key itself.
        active.answeredEarly = true
        return payload
      }
      await settleKey(active, reply, payload, request.log)
      return payload
    })
  }

  async function settleKey(
    active: ActiveKey,
    reply: FastifyReply | undefined,
    payload: unknown,
    log: FastifyBaseLogger,
  ) {
    try {
      if (active.disposition === 'store' && reply && typeof payload === 'string') {
        const contentType = String(reply.getHeader('content-type') ?? 'application/json')
        const location = reply.getHeader('location')
        await repository.complete(active.ownerId, active.key, {
          status: reply.statusCode,
          contentType,
          body: payload,
          headers: typeof location === 'string' ? { location } : {},
        })
      } else if (active.disposition === 'unknown' || active.disposition === 'store') {
        await repository.leaveUnknown(active.ownerId, active.key)
      } else {
        await repository.release(active.ownerId, active.key)
      }
    } catch (error) {
      // The key keeps its lease, which runs out: the next retry then settles it.
      log.warn({ err: error }, 'idempotency key could not be updated')
    }
  }

  async function handle(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: IdempotentOperation,
  ): Promise<FastifyReply> {
    const header = request.headers[IDEMPOTENCY_HEADER]
    if (header === undefined) return send(reply, await operation.execute(undefined))
    const key = validKey(header)
    const ownerId = ownerIdFor(principalOf(request))
    const claimed = await repository.claim({
      ownerId,
      key,
      operation: `${request.method} ${request.routeOptions.url}`,
      fingerprint: deps.fingerprint(canonicalContent(operation.content)),
      now: now(),
      leaseMs: deps.leaseMs,
      ttlMs: deps.ttlHours * 3600_000,
    })
    switch (claimed.kind) {
      case 'mismatch':
        throw new AppError('IDEMPOTENCY_KEY_REUSED', {
          detail: 'This Idempotency-Key was used with a different request; use a new key for a new request',
        })
      case 'busy':
        throw new AppError('IDEMPOTENCY_KEY_IN_USE', {
          detail: 'A request with this Idempotency-Key is still running; retry after it has answered',
          retryAfterSeconds: 1,
        })
      case 'replay': {
        const { response } = claimed
        for (const [name, value] of Object.entries(response.headers)) reply.header(name, value)
        return reply
          .code(response.status)
          .header('content-type', response.contentType)
          .header('idempotent-replayed', 'true')
          .send(response.body)
      }
    }

    const active: ActiveKey = {
      ownerId,
      key,
      boundResourceId: claimed.kind === 'resume' ? claimed.resourceId : null,
      disposition: 'running',
      answeredEarly: false,
    }
    request.idempotencyKey = active
    const claim: IdempotencyClaim = {
      key,
      ref: { ownerId, key },
      boundInTransaction: (resourceId) => {
        active.boundResourceId = resourceId
      },
      bind: async (resourceId) => {
        active.boundResourceId = resourceId
        await repository.bind(ownerId, key, resourceId)
      },
    }
    try {
      const result =
        claimed.kind === 'resume' && active.boundResourceId !== null
          ? await operation.resume(active.boundResourceId, claim)
          : await operation.execute(claim)
      active.disposition = 'store'
      if (active.answeredEarly) await settleKey(active, undefined, undefined, request.log)
      return send(reply, result)
    } catch (error) {
      active.disposition = dispositionOf(error, active.boundResourceId !== null)
      if (active.answeredEarly) await settleKey(active, undefined, undefined, request.log)
      throw error
    }
  }

  return { install, handle, purgeExpired: () => repository.purgeExpired(now()) }
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>

function send(reply: FastifyReply, result: OperationResult): FastifyReply {
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value)
  return reply.code(result.status).send(result.body)
}

/**
 * A final answer is kept; an answer that says "not known yet", or "try again" after the operation
 * may have acted, leaves the key to be settled by a retry; a refusal before anything happened frees
 * the key.
 */
function dispositionOf(error: unknown, acted: boolean): Disposition {
  if (error instanceof AppError) {
    if (error.options.unknownOutcome || error.code === 'OPERATION_PENDING') return 'unknown'
    if (error.status === 409 || error.status === 429 || error.status >= 500) {
      return acted ? 'unknown' : 'release'
    }
    return 'store'
  }
  return acted ? 'unknown' : 'release'
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

function validKey(header: string | string[]): string {
  const value = Array.isArray(header) ? undefined : header
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'Idempotency-Key must be one header of 1 to 255 visible ASCII characters (a UUID is ideal)',
      errors: [{ path: 'headers.idempotency-key', message: 'invalid' }],
    })
  }
  return value
}
