import { createHash, randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { AppError, notFound } from '../../errors/app-error.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import type { SigningCredentials } from '../../privy/index.js'
import type { DocumentSync } from '../documents/index.js'
import type { LimitsService } from '../limits/index.js'
import type { RegistrationService } from '../registration/index.js'
import { type CallbackParse, parseCallback } from './callback.parse.js'
import { type CallbackApplyPolicy, DEFAULT_CALLBACK_POLICY } from './callback.policy.js'
import { createCallbackRefusals, type RejectedCallbackLimits } from './callback.refusals.js'
import type { CallbackRepository, LeasedCallback, NewCallback } from './callback.repository.js'
import type { CallbackReceipt, ListCallbacksQuery, StoredCallbackView } from './callback.schemas.js'
import { type CallbackSignatureHeaders, canonicalOfBytes, verifyCallback } from './callback.signature.js'
import { describeFailure, peek, toStoredCallbackView } from './callback.views.js'

export type { CallbackApplyPolicy } from './callback.policy.js'

export interface CallbackServiceDeps {
  repository: CallbackRepository
  registrations: Pick<RegistrationService, 'applyUpstream'>
  documents: Pick<DocumentSync, 'applyCallback'>
  pii: PiiCipher
  credentials: SigningCredentials
  /** Counts refused callbacks per client address, across instances. */
  limits: Pick<LimitsService, 'take'>
  rejected: RejectedCallbackLimits
  now: () => Date
  policy?: Partial<CallbackApplyPolicy>
}

/** One POST to the callback URL: the bytes as sent, Privy's headers, and who sent it. */
export interface CallbackDelivery {
  raw: Buffer
  headers: CallbackSignatureHeaders
  /** The client's address as Fastify resolved it (`request.ip`, behind TRUST_PROXY). */
  ip: string
}

/** The outcome of applying a parsed callback; a thrown error means "try again later". */
interface Settled {
  state: 'applied' | 'ignored' | 'failed'
  error: string | null
}

/**
 * The associated data a stored body is sealed with. The row id is bound in, so a body copied into
 * another row does not open there.
 */
export function callbackBodyContext(id: string): string {
  return `privy_callbacks.body/${id}`
}

/**
 * Privy callbacks in (docs/privy-contract.md §6; design docs/privy-contract.md §3). A callback is verified over docs/privy-contract.md §2.3's canonical form, and
 * that form is what it is: two bodies that differ only in whitespace (or in the top-level binary keys
 * docs/privy-contract.md §2.3 leaves out) carry one signature and are one callback, deduplicated by the sha256 of the
 * canonical string. Before anything is applied every field must fit its strict format: a padded value
 * is refused (422), never normalised. Verified callbacks are stored with their body encrypted (it
 * names email and phone) and applied through the registration and document state machines, which
 * ignore stale and backward moves; refused ones are kept for inspection within limits and never
 * applied. Applying happens in the request when it can, else in the background consumer; a lease in
 * the database makes sure one holder at a time, across every instance, applies a stored callback.
 * Nothing here calls Privy.
 */
export function createCallbackService(deps: CallbackServiceDeps) {
  const { repository, pii } = deps
  const policy: CallbackApplyPolicy = { ...DEFAULT_CALLBACK_POLICY, ...deps.policy }
  const keepRejected = createCallbackRefusals({
    repository,
    limits: deps.limits,
    pii,
    settings: deps.rejected,
  })

  /**
   * One delivery. A genuine callback in the contract's formats is answered 200 once stored, whatever
   * applying it did: Privy resending it could only be a duplicate, so a non-2xx would buy nothing but
   * retries. A genuine one that does not fit is refused with 422 and kept once, so Privy's retries of
   * the same bytes cost one indexed lookup each.
   */
  async function receive(delivery: CallbackDelivery, log: FastifyBaseLogger): Promise<CallbackReceipt> {
    const { raw } = delivery
    const verdict = verifyCallback(deps.credentials, delivery.headers, raw, deps.now())
    const id = randomUUID()
    if (!verdict.genuine) {
      // Read only if it is kept; deduplicated by its bytes without whitespace (docs/privy-contract.md §2.3 over the bytes):
      // no signature proves any other canonical form.
      await keepRejected(
        () => ({
          id,
          canonicalSha256: sha256(canonicalOfBytes(raw)),
          ...peek(raw),
          bodyKeyId: pii.activeKeyId,
          sizeBytes: raw.length,
        }),
        verdict.problem,
        delivery.ip,
        log,
      )
      throw new AppError('UNAUTHENTICATED', { detail: verdict.problem })
    }
    const canonicalSha256 = sha256(verdict.canonical)
    if (await repository.isStored(canonicalSha256)) return duplicateOf(canonicalSha256, log)
    const callback: NewCallback = {
      id,
      canonicalSha256,
      ...peek(raw),
      ...seal(id, raw),
      sizeBytes: raw.length,
    }
    const parsed = parseCallback(raw)
    if (!parsed.ok) {
      const outcome = await repository.insertMalformed(callback, parsed.reason)
      if (outcome === 'duplicate') return duplicateOf(canonicalSha256, log)
      log.warn(
        {
          callback_id: outcome === 'stored' ? id : undefined,
          canonical_sha256: callback.canonicalSha256,
          reason: parsed.reason,
        },
        'privy callback refused: not in the contract formats',
      )
      throw new AppError('UNPROCESSABLE', {
        detail: 'Not a Privy callback in the contract formats: nothing was applied',
        errors: parsed.errors,
      })
    }
    const lease = await repository.insertVerified(callback, policy.leaseMs)
    if (!lease) return duplicateOf(canonicalSha256, log)
    // Stored: from here on a failure only delays it, the consumer sweep picks it up.
    try {
      const settled = await applyLeased(lease, parsed, log)
      return { received: true, applied: settled?.state === 'applied', duplicate: false }
    } catch (error) {
      log.warn({ err: error, callback_id: id }, 'privy callback stored but not settled: left to the sweep')
      return { received: true, applied: false, duplicate: false }
    }
  }

  function duplicateOf(canonicalSha256: string, log: FastifyBaseLogger): CallbackReceipt {
    log.info({ canonical_sha256: canonicalSha256 }, 'privy callback duplicate: not applied again')
    return { received: true, applied: false, duplicate: true }
  }

  /**
   * Applies a leased callback and settles its row. Returns how it settled, or undefined when the
   * lease was lost meanwhile. A failure that may heal (the database, an unexpected error) leaves it
   * `received` for a later sweep, until `maxAttempts`; then it is `failed`.
   */
  async function applyLeased(
    lease: LeasedCallback,
    known: CallbackParse | undefined,
    log: FastifyBaseLogger,
  ): Promise<Settled | undefined> {
    let settled: Settled
    try {
      // A stored body is read again as it is stored (it may predate these formats, or be reapplied).
      const raw = known ? undefined : open(lease)
      const parsed = known ?? (raw ? parseCallback(raw) : undefined)
      settled = parsed
        ? await apply(parsed, log)
        : { state: 'failed', error: 'The stored body cannot be decrypted' }
    } catch (error) {
      const reason = describeFailure(error)
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
  async function apply(parsed: CallbackParse, log: FastifyBaseLogger): Promise<Settled> {
    if (!parsed.ok) return { state: 'failed', error: parsed.reason }
    const { callback } = parsed
    if (callback.event === 'document') {
      const { data } = callback
      const applied = await deps.documents.applyCallback(data.reference_number, data)
      log.info(
        { event: 'document', reference_number: data.reference_number, status: data.status, applied },
        'privy callback received',
      )
      return applied ? { state: 'applied', error: null } : { state: 'ignored', error: NO_MOVE }
    }
    const { reference_number, status, privy_id, reject_reason, resend, register_token, updated_at } =
      callback.data
    const applied = await deps.registrations.applyUpstream(reference_number, {
      status,
      privy_id,
      reject_reason,
      resend,
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
      throw new AppError('CALLBACK_NOT_REAPPLICABLE', {
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

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
