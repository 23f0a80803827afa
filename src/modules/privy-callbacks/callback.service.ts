import { createHash, randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { AppError, notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import type { SigningCredentials } from '../../privy/signing.js'
import type { DocumentSync } from '../documents/documents.sync.js'
import type { RegistrationService } from '../registration/registration.service.js'
import type {
  CallbackRepository,
  LeasedCallback,
  NewCallback,
  StoredCallbackRecord,
} from './callback.repository.js'
import {
  CALLBACK_EVENTS,
  type CallbackReceipt,
  DocumentCallbackDataSchema,
  type ListCallbacksQuery,
  PrivyCallbackBodySchema,
  RegisterCallbackDataSchema,
  type StoredCallbackView,
} from './callback.schemas.js'
import { type CallbackSignatureHeaders, callbackSignatureProblem } from './callback.signature.js'

/** When and how often a stored callback is (re)applied. */
export interface CallbackApplyPolicy {
  /** How long one holder may take to apply a callback before another may take it over. */
  leaseMs: number
  /** Attempts (the request's own included) before a callback that keeps failing is `failed`. */
  maxAttempts: number
  /** Wait after the n-th failed attempt (1-based) before a sweep may try again. */
  retryDelayMs: (attempt: number) => number
  /** Rows leased per sweep. */
  batchSize: number
}

export const DEFAULT_CALLBACK_POLICY: CallbackApplyPolicy = {
  leaseMs: 60_000,
  maxAttempts: 8,
  // 2 s, 4 s, 8 s … capped at 5 minutes: a database hiccup heals within the first few.
  retryDelayMs: (attempt) => Math.min(2_000 * 2 ** (attempt - 1), 300_000),
  batchSize: 20,
}

export interface CallbackServiceDeps {
  repository: CallbackRepository
  registrations: Pick<RegistrationService, 'applyUpstream'>
  documents: Pick<DocumentSync, 'applyCallback'>
  pii: PiiCipher
  credentials: SigningCredentials
  now: () => Date
  policy?: Partial<CallbackApplyPolicy>
}

/** The outcome of applying a parsed callback; a thrown error means "try again later". */
interface Settled {
  state: 'applied' | 'ignored' | 'failed'
  error: string | null
}

const ERROR_MAX_CHARS = 500

/**
 * The associated data a stored body is sealed with. The row id is bound in, so a body copied into
 * another row does not open there.
 */
export function callbackBodyContext(id: string): string {
  return `privy_callbacks.body/${id}`
}

/**
 * Privy callbacks in (contract §6; design §3). Every callback is stored before anything else, its
 * body encrypted (it names email and phone): verified ones are deduplicated by the sha256 of their
 * bytes and applied through the registration and document state machines, which ignore stale and
 * backward moves; rejected ones are kept for inspection and never applied. Applying happens in the
 * request when it can, else in the background consumer; a lease in the database makes sure one
 * holder at a time, across every instance, applies a stored callback. Nothing here calls Privy.
 */
export function createCallbackService(deps: CallbackServiceDeps) {
  const { repository, pii } = deps
  const policy: CallbackApplyPolicy = { ...DEFAULT_CALLBACK_POLICY, ...deps.policy }

  /**
   * One delivery. A genuine callback is answered 200 once stored, whatever applying it did: Privy
   * resending the same bytes could only be a duplicate, so a non-2xx would buy nothing but retries.
   */
  async function receive(
    raw: Buffer,
    headers: CallbackSignatureHeaders,
    log: FastifyBaseLogger,
  ): Promise<CallbackReceipt> {
    const problem = callbackSignatureProblem(deps.credentials, headers, raw, deps.now())
    const id = randomUUID()
    const callback: NewCallback = {
      id,
      bodySha256: createHash('sha256').update(raw).digest('hex'),
      ...peek(raw),
      ...seal(id, raw),
      sizeBytes: raw.length,
    }
    if (problem !== null) {
      await keepRejected(callback, problem, log)
      throw new AppError('UNAUTHENTICATED', { detail: problem })
    }
    const lease = await repository.insertVerified(callback, policy.leaseMs)
    if (!lease) {
      log.info({ body_sha256: callback.bodySha256 }, 'privy callback duplicate: not applied again')
      return { received: true, applied: false, duplicate: true }
    }
    // Stored: from here on a failure only delays it, the consumer sweep picks it up.
    try {
      const settled = await applyLeased(lease, raw, log)
      return { received: true, applied: settled?.state === 'applied', duplicate: false }
    } catch (error) {
      log.warn({ err: error, callback_id: id }, 'privy callback stored but not settled: left to the sweep')
      return { received: true, applied: false, duplicate: false }
    }
  }

  /** A forged, unsigned or stale callback: kept (once per body) for inspection, never applied. */
  async function keepRejected(callback: NewCallback, reason: string, log: FastifyBaseLogger) {
    try {
      const kept = await repository.insertRejected(callback, reason)
      log.warn(
        { callback_id: kept ? callback.id : undefined, body_sha256: callback.bodySha256, reason },
        'privy callback rejected',
      )
    } catch (error) {
      // The caller is refused either way; failing to keep the evidence must not change the answer.
      log.warn({ err: error, reason }, 'privy callback rejected and could not be kept')
    }
  }

  /**
   * Applies a leased callback and settles its row. Returns how it settled, or undefined when the
   * lease was lost meanwhile. A failure that may heal (the database, an unexpected error) leaves it
   * `received` for a later sweep, until `maxAttempts`; then it is `failed`.
   */
  async function applyLeased(
    lease: LeasedCallback,
    known: Buffer | undefined,
    log: FastifyBaseLogger,
  ): Promise<Settled | undefined> {
    let settled: Settled
    try {
      const raw = known ?? open(lease)
      settled = raw
        ? await apply(raw, log)
        : { state: 'failed', error: 'The stored body cannot be decrypted' }
    } catch (error) {
      const reason = describe(error)
      if (lease.attempts >= policy.maxAttempts) {
        settled = { state: 'failed', error: `Gave up after ${lease.attempts} attempts: ${reason}` }
      } else {
        await repository.retryLater(lease, reason, policy.retryDelayMs(lease.attempts))
        throw error
      }
    }
    const kept = await repository.settle(lease, settled.state, settled.error)
    log.info(
      { callback_id: lease.id, attempt: lease.attempts, state: settled.state, reason: settled.error, kept },
      'privy callback processed',
    )
    return kept ? settled : undefined
  }

  function open(lease: LeasedCallback): Buffer | undefined {
    try {
      return pii.open({ keyId: lease.bodyKeyId, data: lease.bodyEncrypted }, callbackBodyContext(lease.id))
    } catch {
      return undefined
    }
  }

  /** The verified body through the state machines. Throws only for what may heal when retried. */
  async function apply(raw: Buffer, log: FastifyBaseLogger): Promise<Settled> {
    let body: unknown
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      return { state: 'failed', error: 'The body is not JSON' }
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return { state: 'failed', error: 'The body is not a JSON object' }
    }
    const event = (body as { event?: unknown }).event
    if (typeof event === 'string' && !(CALLBACK_EVENTS as readonly string[]).includes(event)) {
      return { state: 'ignored', error: `Unknown event ${JSON.stringify(clip(event, 64))}` }
    }
    const envelope = PrivyCallbackBodySchema.safeParse(body)
    if (!envelope.success) return { state: 'failed', error: issuesOf(envelope.error.issues, '') }

    if (envelope.data.event === 'document') {
      const parsed = DocumentCallbackDataSchema.safeParse(envelope.data.data)
      if (!parsed.success) return { state: 'failed', error: issuesOf(parsed.error.issues, 'data.') }
      const applied = await deps.documents.applyCallback(parsed.data.reference_number, parsed.data)
      log.info(
        {
          event: 'document',
          reference_number: parsed.data.reference_number,
          status: parsed.data.status,
          applied,
        },
        'privy callback received',
      )
      return applied ? { state: 'applied', error: null } : { state: 'ignored', error: NO_MOVE }
    }
    const parsed = RegisterCallbackDataSchema.safeParse(envelope.data.data)
    if (!parsed.success) return { state: 'failed', error: issuesOf(parsed.error.issues, 'data.') }
    const { reference_number, status, privy_id, reject_reason, resend, register_token, updated_at } =
      parsed.data
    const applied = await deps.registrations.applyUpstream(reference_number, {
      status,
      privy_id: privy_id ?? undefined,
      reject_reason: reject_reason ?? undefined,
      resend: resend ?? undefined,
      register_token,
      updated_at,
    })
    log.info({ event: 'register', reference_number, status, applied }, 'privy callback received')
    return applied ? { state: 'applied', error: null } : { state: 'ignored', error: NO_MOVE }
  }

  function seal(id: string, raw: Buffer): Pick<NewCallback, 'bodyKeyId' | 'bodyEncrypted'> {
    const sealed = pii.seal(raw, callbackBodyContext(id))
    return { bodyKeyId: sealed.keyId, bodyEncrypted: sealed.data }
  }

  /** The consumer: applies what requests could not (a failure, a crash, a lost lease). */
  async function sweep(log: FastifyBaseLogger): Promise<number> {
    const leases = await repository.leaseDue(policy.batchSize, policy.leaseMs)
    for (const lease of leases) {
      try {
        await applyLeased(lease, undefined, log)
      } catch (error) {
        log.warn(
          { err: error, callback_id: lease.id, attempt: lease.attempts },
          'privy callback apply failed',
        )
      }
    }
    return leases.length
  }

  async function list(query: ListCallbacksQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const rows = await repository.list({
      state: query.state,
      referenceNumber: query.reference_number,
      limit: query.limit + 1,
      after,
    })
    const { page, nextCursor } = cursorPage(
      rows.map((row) => ({ ...row, createdAt: row.receivedAt })),
      query.limit,
    )
    return { data: page.map(toStoredCallbackView), next_cursor: nextCursor }
  }

  /**
   * An operator pushes a verified callback that is not applied through again (e.g. after fixing
   * what made it fail). A rejected one never is: its signature did not prove it came from Privy.
   */
  async function reapply(id: string, log: FastifyBaseLogger): Promise<StoredCallbackView> {
    const lease = await repository.leaseForReapply(id, policy.leaseMs)
    if (!lease) {
      const row = await repository.findById(id)
      if (!row) throw notFound('Callback')
      throw new AppError('CONFLICT', {
        detail: !row.signatureValid
          ? 'A rejected callback is never applied: its signature did not prove it came from Privy'
          : row.state === 'applied'
            ? 'This callback is already applied'
            : 'This callback is being applied right now; retry shortly',
        extensions: { callback_state: row.state },
      })
    }
    try {
      await applyLeased(lease, undefined, log)
    } catch (error) {
      log.warn({ err: error, callback_id: id }, 'privy callback reapply failed: left to the sweep')
    }
    const row = await repository.findById(id)
    if (!row) throw notFound('Callback')
    return toStoredCallbackView(row)
  }

  return { receive, sweep, list, reapply }
}

export type CallbackService = ReturnType<typeof createCallbackService>

const NO_MOVE = 'Not a forward move: stale, already applied, or about a reference the gateway does not know'

export function toStoredCallbackView(row: StoredCallbackRecord): StoredCallbackView {
  return {
    id: row.id,
    event: row.event,
    reference_number: row.referenceNumber,
    state: row.state,
    signature_valid: row.signatureValid,
    error: row.error,
    size_bytes: row.sizeBytes,
    attempts: row.attempts,
    received_at: row.receivedAt.toISOString(),
    processed_at: row.processedAt?.toISOString() ?? null,
  }
}

/**
 * The event and reference number, as the body says, for the operator's list: read leniently (also
 * from bodies that are rejected or malformed) and only when they look like what they claim to be.
 */
function peek(raw: Buffer): { event: string | null; referenceNumber: string | null } {
  let body: unknown
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    return { event: null, referenceNumber: null }
  }
  const record =
    body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
  const data = record.data && typeof record.data === 'object' ? (record.data as Record<string, unknown>) : {}
  return { event: label(record.event, 32), referenceNumber: label(data.reference_number, 64) }
}

function label(value: unknown, max: number): string | null {
  // No control characters: the list is read on operators' screens.
  return typeof value === 'string' && value.length > 0 && value.length <= max && !/\p{Cc}/u.test(value)
    ? value
    : null
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}

function issuesOf(issues: Array<{ path: PropertyKey[]; message: string }>, prefix: string): string {
  const listed = issues.map(
    (issue) => `${prefix}${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`,
  )
  return clip(`Not a Privy callback: ${listed.join('; ')}`, ERROR_MAX_CHARS)
}

/** A failure's name and message, for the operator: never a stack. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return clip(String(error), ERROR_MAX_CHARS)
  const code = 'code' in error && typeof error.code === 'string' ? ` [${error.code}]` : ''
  return clip(`${error.name}${code}: ${error.message}`, ERROR_MAX_CHARS)
}
