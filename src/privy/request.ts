import type { z } from 'zod'
import { type ClientCore, performAttempt, withSafeRetries } from './attempt.js'
import { PrivyAuthenticationError } from './errors.js'
import type { LateAnswerHandler, SideEffectOptions } from './late-answers.js'
import { bodyMd5, canonicalBody, privyTimestamp, signatureOfMd5 } from './signing.js'
import type { TokenManager } from './token.js'
import type { StreamedBody } from './upload-body.js'

/**
 * One Privy API operation, declared once per resource method. Adding an endpoint means adding one of
 * these plus a zod schema for its `data`.
 */
export interface PrivyOperation<T> {
  /** Stable name for errors and logs, e.g. `registrations.register`. */
  name: string
  /** Path under baseUrl, e.g. `/web/api/v2/register`. */
  path: string
  /**
   * `safe`: repeating it changes nothing at Privy (status, history), so connection failures, timeouts
   * and 502/503/504 are retried. `never`: it may create or change something, so it is sent once (plus
   * one re-send after a 401, which means Privy refused it before doing anything).
   */
  retry: 'safe' | 'never'
  data: z.ZodType<T>
  /** Overrides the client's maxResponseBytes, e.g. for a status that carries a signed PDF. */
  maxResponseBytes?: number
  /** Overrides the client's timeoutMs, e.g. for an upload that sends a whole PDF. */
  timeoutMs?: number
  /**
   * Members of `data` still read (as `readable` on the PrivyResponseValidationError) when the answer
   * breaks the contract: an id that proves what Privy created, e.g. an OTP's `transaction_id`.
   */
  readableOnMalformed?: readonly string[]
}

export interface RequestExtras<T> {
  /**
   * Sent instead of `JSON.stringify(body)`, and `body` only feeds the Signature: the upload streams
   * its PDF as base64 inside the JSON (upload-body.ts), and its `body` has the same JSON apart from
   * `document`, which the Signature leaves out (docs/privy-contract.md §2.3), so nothing streamed
   * needs hashing.
   */
  wire?: StreamedBody | undefined
  /** Late-answer capture (late-answers.ts); honoured for `retry: 'never'` operations only. */
  onLateAnswer?: LateAnswerHandler<T> | undefined
}

/** The extras of a caller's per-call options: only `onLateAnswer`, never anything else it carries. */
export function lateAnswerOnly<T>(options: SideEffectOptions<T> | undefined): RequestExtras<T> {
  return { onLateAnswer: options?.onLateAnswer }
}

/** Sends `body` (already in wire key order) as `operation`, returning its parsed `data`. */
export type PrivyRequester = <T>(
  operation: PrivyOperation<T>,
  body: Record<string, unknown>,
  extras?: RequestExtras<T>,
) => Promise<T>

export function createRequester(core: ClientCore, tokens: TokenManager): PrivyRequester {
  const { options } = core
  const credentials = { apiKey: options.apiKey, apiSecret: options.apiSecret }

  return async function request<T>(
    operation: PrivyOperation<T>,
    body: Record<string, unknown>,
    extras: RequestExtras<T> = {},
  ): Promise<T> {
    const { wire } = extras
    // A safe call is retried instead; a late answer of a side-effect call is kept, never re-sent.
    const onLateAnswer = operation.retry === 'never' ? extras.onLateAnswer : undefined
    let attempt = 0
    let reauthenticated = false
    // The body's JSON and MD5 once per call; what changes per attempt is signed per attempt.
    const json = JSON.stringify(body)
    const md5 = bodyMd5(canonicalBody(body, json))

    // Every attempt is signed afresh: a new Timestamp, Signature and Request-ID. A streamed `wire`
    // is opened anew for each attempt (a re-send after a 401 encodes the PDF again, chunk by chunk).
    const send = async (token: string): Promise<T> => {
      attempt++
      const requestId = options.uuid()
      const timestamp = privyTimestamp(options.now())
      const payload = wire === undefined ? json : wire.open()
      // A stream has no length of its own: without this undici would send it chunked.
      const length: Record<string, string> =
        wire === undefined ? {} : { 'content-length': String(wire.byteLength) }
      return performAttempt(core, {
        operation: operation.name,
        path: operation.path,
        requestId,
        attempt,
        headers: {
          authorization: `Bearer ${token}`,
          timestamp,
          signature: signatureOfMd5(credentials, timestamp, md5),
          'request-id': requestId,
          'content-type': 'application/json',
          accept: 'application/json',
          ...length,
        },
        body: payload,
        data: operation.data,
        maxResponseBytes: operation.maxResponseBytes,
        timeoutMs: operation.timeoutMs,
        readableOnMalformed: operation.readableOnMalformed,
        safe: operation.retry === 'safe',
        onLateAnswer,
      })
    }

    const sendAuthenticated = async (): Promise<T> => {
      const token = await tokens.get()
      try {
        return await send(token)
      } catch (error) {
        // A 401 means Privy did nothing (expired or revoked token): one fresh token, one more try.
        // Only an answer in time counts: a late 401 goes to onLateAnswer and is not re-sent.
        if (!(error instanceof PrivyAuthenticationError) || reauthenticated) throw error
        reauthenticated = true
        tokens.invalidate(token)
        return send(await tokens.get())
      }
    }

    return operation.retry === 'safe'
      ? withSafeRetries(core, operation.name, sendAuthenticated)
      : sendAuthenticated()
  }
}
