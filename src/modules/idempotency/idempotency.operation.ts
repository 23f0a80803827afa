import type { FastifyReply } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import type { IdempotencyKeyRef } from './idempotency.take.js'

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
  /**
   * The operation takes the key itself, in the transaction of its first write (`keyTakingTransaction`),
   * which must come before any side effect: the claim then costs no commit of its own (each
   * is a WAL flush, about a millisecond). `bind` may be called only after that transaction.
   */
  claimsInTransaction?: boolean
}

/**
 * What becomes of the key once the response is known; `running` while the operation has not ended
 * (an answer sent then, by the request deadline, must leave the key to the operation).
 */
export type Disposition = 'running' | 'store' | 'unknown' | 'release'

export function send(reply: FastifyReply, result: OperationResult): FastifyReply {
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value)
  return reply.code(result.status).send(result.body)
}

/**
 * A final answer is kept; an answer that says "not known yet", or "try again" after the operation
 * may have acted, leaves the key to be settled by a retry; a refusal before anything happened frees
 * the key.
 */
export function dispositionOf(error: unknown, acted: boolean): Disposition {
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

export function validKey(header: string | string[]): string {
  const value = Array.isArray(header) ? undefined : header
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'Idempotency-Key must be one header of 1 to 255 visible ASCII characters (a UUID is ideal)',
      errors: [{ path: 'headers.idempotency-key', message: 'invalid' }],
    })
  }
  return value
}
