import type { PrivyApiError, PrivyResponseValidationError } from './errors.js'

/**
 * Late-answer capture for calls with side effects. Privy may do the work and answer after our
 * deadline ("commit then time out"): the answer carries the register_token, document_token or
 * transaction_id that no status call can give back without it. A caller that passes `onLateAnswer`
 * still gets its PrivyTimeoutError at timeoutMs (with `lateAnswerPending: true`), but the request
 * keeps running until lateAnswerMs; an answer within that window is parsed and validated like a
 * timely one and handed to the callback, once. Nothing is called when the window closes without an
 * answer (the request is then aborted), when the connection fails, or once `close()` has begun.
 */

/** A late answer, success or refusal, of one call. `requestId` is the one on the PrivyTimeoutError. */
export type LateAnswer<T> = LateAnswerSuccess<T> | LateAnswerFailure

export interface LateAnswerSuccess<T> {
  ok: true
  /** The same typed result the call would have returned in time. */
  data: T
  operation: string
  requestId: string
}

export interface LateAnswerFailure {
  ok: false
  /**
   * Privy answered, but not with success: a PrivyApiError subclass by status (a late 409 or 422 is
   * information too: its `outcome` is `not_applied`), or PrivyResponseValidationError for a success
   * status with a body that breaks the contract (`outcome` stays `unknown`).
   */
  error: PrivyApiError | PrivyResponseValidationError
  operation: string
  requestId: string
}

/**
 * Called at most once, never after `close()` began. What it throws or rejects with is swallowed (the
 * call it belongs to has already ended), so it must handle its own failures. A returned promise is
 * awaited by `close()`.
 */
export type LateAnswerHandler<T> = (late: LateAnswer<T>) => void | Promise<void>

/** The per-call options (second argument) of every method with side effects. */
export interface SideEffectOptions<T> {
  /**
   * Keeps listening past the call's deadline, up to the client's lateAnswerMs, and hands a late
   * answer to this callback. Without it a call that passes its deadline is aborted at once.
   */
  onLateAnswer?: LateAnswerHandler<T>
}

/** The client's late requests in flight and late handlers running, so that `close()` can end them. */
export class LateAnswerRegistry {
  /** A failing handler (its database write, say) would otherwise go unnoticed. */
  constructor(
    private readonly onHandlerError: (error: unknown, late: LateAnswer<unknown>) => void = () => {},
  ) {}

  private readonly waiting = new Set<AbortController>()
  private readonly running = new Set<Promise<void>>()
  private closedFlag = false

  get closed(): boolean {
    return this.closedFlag
  }

  /** Tracks a request whose caller deadline passed; false (do not wait) once closing began. */
  wait(controller: AbortController): boolean {
    if (this.closedFlag) return false
    this.waiting.add(controller)
    return true
  }

  done(controller: AbortController): void {
    this.waiting.delete(controller)
  }

  /** Calls `handler` without ever letting it throw into the client; what it throws is reported. */
  deliver<T>(handler: LateAnswerHandler<T>, late: LateAnswer<T>): void {
    if (this.closedFlag) return
    let result: void | Promise<void>
    try {
      result = handler(late)
    } catch (error) {
      this.onHandlerError(error, late)
      return
    }
    if (!isThenable(result)) return
    const settled = Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => this.onHandlerError(error, late),
    )
    this.running.add(settled)
    void settled.then(() => this.running.delete(settled))
  }

  /** Aborts every request still waiting for a late answer, then waits for the handlers running. */
  async close(): Promise<void> {
    this.closedFlag = true
    for (const controller of this.waiting) controller.abort()
    this.waiting.clear()
    await Promise.all(this.running)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function'
}
