import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import { ownerIdFor, principalOf } from '../../plugins/auth.js'
import { canonicalContent } from './canonical-content.js'
import {
  type Disposition,
  dispositionOf,
  type IdempotencyClaim,
  type IdempotentOperation,
  type OperationResult,
  send,
  validKey,
} from './idempotency.operation.js'
import type {
  ClaimRequest,
  ClaimResult,
  IdempotencyRepository,
  StoredResponse,
} from './idempotency.repository.js'
import { IdempotencyKeyTaken, type UntakenKey } from './idempotency.take.js'

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

export type { IdempotencyClaim, IdempotentOperation, OperationResult }

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
        const response: StoredResponse = {
          status: reply.statusCode,
          contentType,
          body: payload,
          headers: typeof location === 'string' ? { location } : {},
        }
        await repository.complete(active.ownerId, active.key, response, active.boundResourceId !== null)
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
    const claimRequest: ClaimRequest = {
      ownerId: ownerIdFor(principalOf(request)),
      key,
      operation: `${request.method} ${request.routeOptions.url}`,
      fingerprint: deps.fingerprint(canonicalContent(operation.content)),
      now: now(),
      leaseMs: deps.leaseMs,
      ttlMs: deps.ttlHours * 3600_000,
    }
    if (operation.claimsInTransaction)
      return runClaimingInTransaction(request, reply, operation, claimRequest)
    return run(request, reply, operation, claimRequest, await repository.claim(claimRequest))
  }

  /** Answers what the key says (another request's answer, a refusal), else runs the operation under it. */
  async function run(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: IdempotentOperation,
    claimRequest: ClaimRequest,
    claimed: ClaimResult,
  ): Promise<FastifyReply> {
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
    const active = activate(request, claimRequest, claimed.kind === 'resume' ? claimed.resourceId : null)
    const claim = claimOf(active)
    try {
      const result =
        claimed.kind === 'resume' && active.boundResourceId !== null
          ? await operation.resume(active.boundResourceId, claim)
          : await operation.execute(claim)
      return await succeed(request, reply, active, result)
    } catch (error) {
      await fail(request, active, error)
      throw error
    }
  }

  /**
   * The claim as part of the operation's first transaction (`claimsInTransaction`): no statement and
   * no commit of its own. Until that transaction took the key nothing has happened, so when the key
   * turns out to be held, or the operation stops before it (a refusal) or with it (its rollback undid
   * the take, `keyTakingTransaction`), the key is claimed then and decides, as if it had been claimed
   * first: another request may hold it by now, and only a key this request holds is settled.
   */
  async function runClaimingInTransaction(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: IdempotentOperation,
    claimRequest: ClaimRequest,
  ): Promise<FastifyReply> {
    const { now: at, leaseMs, ttlMs, ...names } = claimRequest
    const untaken: UntakenKey = {
      row: {
        ...names,
        lockedUntil: new Date(at.getTime() + leaseMs),
        createdAt: at,
        expiresAt: new Date(at.getTime() + ttlMs),
      },
      taken: false,
    }
    const active = activate(request, claimRequest, null)
    let result: OperationResult
    try {
      result = await operation.execute(claimOf(active, untaken))
    } catch (error) {
      if (untaken.taken) {
        await fail(request, active, error)
        throw error
      }
      request.idempotencyKey = null
      // The request deadline answered before anything was taken: there is no key to settle.
      if (active.answeredEarly) throw error
      const held = error instanceof IdempotencyKeyTaken
      const claimed = await repository.claim({ ...claimRequest, now: now(), held })
      if (claimed.kind !== 'new' || held) {
        return run(request, reply, operation, claimRequest, claimed)
      }
      activate(request, claimRequest, null).disposition = dispositionOf(error, false)
      throw error
    }
    if (!untaken.taken) {
      // Answered without a write, so without the key: kept all the same, as if claimed first.
      request.idempotencyKey = null
      const claimed = await repository.claim({ ...claimRequest, now: now() })
      if (claimed.kind === 'new') activate(request, claimRequest, null).disposition = 'store'
      return send(reply, result)
    }
    return succeed(request, reply, active, result)
  }

  function activate(request: FastifyRequest, names: ClaimRequest, boundResourceId: string | null) {
    const { ownerId, key } = names
    const active: ActiveKey = { ownerId, key, boundResourceId, disposition: 'running', answeredEarly: false }
    request.idempotencyKey = active
    return active
  }

  function claimOf(active: ActiveKey, untaken?: UntakenKey): IdempotencyClaim {
    const { ownerId, key } = active
    return {
      key,
      ref: untaken ? { ownerId, key, untaken } : { ownerId, key },
      boundInTransaction: (resourceId) => {
        active.boundResourceId = resourceId
      },
      bind: async (resourceId) => {
        active.boundResourceId = resourceId
        await repository.bind(ownerId, key, resourceId)
      },
    }
  }

  async function succeed(
    request: FastifyRequest,
    reply: FastifyReply,
    active: ActiveKey,
    result: OperationResult,
  ): Promise<FastifyReply> {
    active.disposition = 'store'
    if (active.answeredEarly) await settleKey(active, undefined, undefined, request.log)
    return send(reply, result)
  }

  async function fail(request: FastifyRequest, active: ActiveKey, error: unknown): Promise<void> {
    active.disposition = dispositionOf(error, active.boundResourceId !== null)
    if (active.answeredEarly) await settleKey(active, undefined, undefined, request.log)
  }

  return { install, handle, purgeExpired: () => repository.purgeExpired(now()) }
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>
