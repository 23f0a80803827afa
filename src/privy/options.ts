import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import type { Dispatcher } from 'undici'

export interface PrivyClientOptions {
  /** e.g. `https://stg-core.privy.id`; a path prefix is kept, a query or fragment is refused. */
  baseUrl: string
  /** OAuth client credentials (docs/privy-contract.md §2.1). */
  clientId: string
  clientSecret: string
  /** Signing pair (docs/privy-contract.md §2.3), separate from the OAuth pair. */
  apiKey: string
  apiSecret: string
  /** Privy's channel id, added to every body that carries `channel_id`. */
  channelId: string
  /**
   * The merchant's enterprise account, sent as `doc_owner` of every document upload (docs/privy-contract.md §5.1).
   * Set both or neither; without them `documents.upload` is refused and everything else still works.
   */
  enterprisePrivyId?: string
  enterpriseToken?: string
  /** TCP/TLS connect deadline. @default 3000 */
  connectTimeoutMs?: number
  /** Deadline per attempt for the complete response, headers and body. @default 15000 */
  timeoutMs?: number
  /** Retries for calls that are safe to repeat (token fetch, status reads) only. @default 2 */
  maxRetries?: number
  /** Larger response bodies are cut off and reported as an error, never buffered whole. @default 1 MiB */
  maxResponseBytes?: number
  /** Deadline per attempt of `documents.upload`, which sends the whole PDF. @default 60000 */
  uploadTimeoutMs?: number
  /**
   * For calls with side effects whose caller passed `onLateAnswer`: how long after the start of the
   * attempt the client keeps listening for an answer that missed the call's deadline (timeoutMs or
   * uploadTimeoutMs), before it aborts the request. Counted from the same start as those deadlines,
   * so it must be ≥ timeoutMs; a call whose own deadline is not shorter gets no late window.
   * @default 120000
   */
  lateAnswerMs?: number
  /** maxResponseBytes of `documents.status`, which may carry the signed PDF. @default 40 MiB */
  maxDocumentResponseBytes?: number
  /** For tests. Without it the client owns an undici Agent, closed by `close()`. */
  dispatcher?: Dispatcher
  now?: () => Date
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  uuid?: () => string
  /** Called after every HTTP attempt, for logs and metrics. Never receives bodies, tokens or keys. */
  onAttempt?: (event: PrivyAttemptEvent) => void
  /** An `onLateAnswer` callback failed (it is never allowed to throw into the client). */
  onLateAnswerError?: (error: unknown, operation: string) => void
}

export interface PrivyAttemptEvent {
  operation: string
  path: string
  /** The Request-ID header of this attempt. */
  requestId: string
  /** 1-based, counting every attempt of one call (retries and the re-try after a 401). */
  attempt: number
  /** HTTP status, when a response arrived. */
  status?: number
  durationMs: number
  /** Class name of the error this attempt ended with, e.g. `PrivyTimeoutError`. */
  errorName?: string
  /**
   * Set on the second event of an attempt that passed its deadline while a late answer was awaited:
   * how the late window ended (the answer's `status`, or `errorName` when none came: PrivyTimeoutError
   * at lateAnswerMs, PrivyConnectionError when the connection failed or `close()` aborted it).
   * `durationMs` counts from the start of the attempt.
   */
  late?: true
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000
export const DEFAULT_TIMEOUT_MS = 15_000
export const DEFAULT_MAX_RETRIES = 2
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
export const DEFAULT_UPLOAD_TIMEOUT_MS = 60_000
export const DEFAULT_LATE_ANSWER_MS = 120_000
// A signed PDF as base64 is 4/3 of its size: 40 MiB of JSON holds a PDF of about 30 MB.
export const DEFAULT_MAX_DOCUMENT_RESPONSE_BYTES = 40 * 1024 * 1024

/** The `doc_owner` of uploads (docs/privy-contract.md §5.1). */
export interface EnterpriseAccount {
  privyId: string
  token: string
}

export interface ResolvedOptions {
  origin: string
  /** Path prefix of baseUrl without a trailing slash ('' for a bare host). */
  basePath: string
  clientId: string
  clientSecret: string
  apiKey: string
  apiSecret: string
  channelId: string
  /** Undefined when the options name no enterprise account. */
  enterprise: EnterpriseAccount | undefined
  connectTimeoutMs: number
  timeoutMs: number
  maxRetries: number
  maxResponseBytes: number
  uploadTimeoutMs: number
  lateAnswerMs: number
  maxDocumentResponseBytes: number
  now: () => Date
  sleep: (ms: number) => Promise<void>
  random: () => number
  uuid: () => string
  onAttempt: ((event: PrivyAttemptEvent) => void) | undefined
  onLateAnswerError: ((error: unknown, operation: string) => void) | undefined
}

/** Fills defaults and refuses bad settings early. Messages name the option, never its value. */
export function resolveOptions(options: PrivyClientOptions): ResolvedOptions {
  const url = parseBaseUrl(options.baseUrl)
  for (const key of [
    'clientId',
    'clientSecret',
    'apiKey',
    'apiSecret',
    'channelId',
    'enterprisePrivyId',
    'enterpriseToken',
  ] as const) {
    if (options[key] === '') throw new TypeError(`Privy client option ${key} must not be empty`)
  }
  const timeoutMs = positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS)
  const lateAnswerMs = positive(
    'lateAnswerMs',
    options.lateAnswerMs,
    Math.max(DEFAULT_LATE_ANSWER_MS, timeoutMs),
  )
  // Counted from the start of the attempt like timeoutMs: a smaller value is a misreading of it.
  if (lateAnswerMs < timeoutMs) throw new TypeError('Privy client option lateAnswerMs must be ≥ timeoutMs')
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    channelId: options.channelId,
    enterprise: enterpriseAccount(options),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    timeoutMs,
    maxRetries: count('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES),
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
    uploadTimeoutMs: positive('uploadTimeoutMs', options.uploadTimeoutMs, DEFAULT_UPLOAD_TIMEOUT_MS),
    lateAnswerMs,
    maxDocumentResponseBytes: positive(
      'maxDocumentResponseBytes',
      options.maxDocumentResponseBytes,
      DEFAULT_MAX_DOCUMENT_RESPONSE_BYTES,
    ),
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => delay(ms)),
    random: options.random ?? Math.random,
    uuid: options.uuid ?? randomUUID,
    onAttempt: options.onAttempt,
    onLateAnswerError: options.onLateAnswerError,
  }
}

function enterpriseAccount(options: PrivyClientOptions): EnterpriseAccount | undefined {
  const { enterprisePrivyId: privyId, enterpriseToken: token } = options
  if (privyId === undefined && token === undefined) return undefined
  // Half an account would only fail at the first upload; refuse it where the configuration is made.
  if (privyId === undefined || token === undefined) {
    throw new TypeError('Privy client options enterprisePrivyId and enterpriseToken must be set together')
  }
  return { privyId, token }
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new TypeError('Privy client option baseUrl is not a URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('Privy client option baseUrl must be http(s)')
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError('Privy client option baseUrl must not carry a query, fragment or credentials')
  }
  return url
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`Privy client option ${name} must be > 0`)
  return value
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`Privy client option ${name} must be an integer ≥ 0`)
  return value
}
