import { randomUUID } from 'node:crypto'
import { AppError, notFound } from '../../errors/app-error.js'
import {
  asAppError,
  outcomeUnknown,
  recordCreateFailure,
  upstreamRejected,
} from '../../errors/upstream-failure.js'
import type { RegistrationStatus } from '../../generated/prisma/client.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import { maskEmail, maskPhone } from '../../lib/mask.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { ownerIdFor, ownerScope, type Principal } from '../../plugins/auth.js'
import { PrivyApiError, PrivyError } from '../../privy/errors.js'
import type { LateAnswer, PrivyClient, RegisterResult } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/idempotency.service.js'
import { type ImageLimits, prepareIdentity } from './registration.identity.js'
import { nikLookupOf, sealIdentity } from './registration.pii.js'
import type { RegistrationRecord, RegistrationRepository } from './registration.repository.js'
import type {
  CreateRegistrationBody,
  RegistrationView,
  ResendRegistrationBody,
} from './registration.schemas.js'
import { isSettled, shouldApply } from './registration.status.js'
import { toRegistrationView } from './registration.view.js'

export interface RegistrationServiceDeps {
  repository: RegistrationRepository
  privy: PrivyClient
  now: () => Date
  refreshAfterSeconds: number
  imageLimits: ImageLimits
  /** Privy enabled this merchant as a Registration Authority (registration_type merchant_ra). */
  merchantRaEnabled: boolean
  pii: PiiCipher
  /** How long a late answer from Privy is waited for before a retry probes (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A row still `in_flight` after this long lost its request (the instance died): see the reconciler. */
  inFlightBudgetMs: number
}

export function operationPending(id: string, detail: string): AppError {
  return new AppError('OPERATION_PENDING', {
    detail: `${detail}. Follow registration ${id}`,
    retryAfterSeconds: 2,
    extensions: { registration_id: id },
  })
}

/** Privy's field names, where they differ from the API's. */
const UPSTREAM_FIELD_NAMES: Record<string, string> = { identity: 'ktp' }

export function createRegistrationService(deps: RegistrationServiceDeps) {
  const { repository, privy, now } = deps

  async function create(
    principal: Principal,
    body: CreateRegistrationBody,
    claim?: IdempotencyClaim,
  ): Promise<RegistrationView> {
    if (body.registration_type === 'merchant_ra' && !deps.merchantRaEnabled) {
      throw new AppError('FEATURE_NOT_ENABLED', {
        detail: 'merchant_ra needs this merchant to be a Registration Authority at Privy; ask the operator',
      })
    }
    const identity = await identityFor(body)
    const id = randomUUID()
    const ownerId = ownerIdFor(principal)
    const intent = await repository.createIntent(
      {
        id,
        createdAt: now(),
        ownerId,
        referenceNumber: `REG-${id.replaceAll('-', '').toUpperCase()}`,
        registrationType: body.registration_type,
        status: 'pending',
        emailMasked: maskEmail(body.email),
        phoneMasked: maskPhone(body.phone),
        phoneLookup: deps.pii.lookupHash('phone', body.phone),
        // Its number block: SMS pumping walks sequential numbers, one new user and address each.
        phonePrefixLookup: deps.pii.lookupHash('phone-block', body.phone.slice(0, -4)),
        ...(body.registration_type === 'landing_page' ? {} : sealIdentity(deps.pii, id, body)),
      },
      naturalKeyOf(ownerId, body),
      claim?.ref,
    )
    if ('existingId' in intent) {
      // The person's earlier attempt whose outcome is unknown: this retry settles it, by probing with
      // its reference number, rather than being refused until it settles by itself.
      const earlier = await repository.findVisible(intent.existingId, ownerId)
      if (earlier && earlier.submission !== 'submitted' && !isAwaitingAnswer(earlier)) {
        await claim?.bind(earlier.id)
        return submit(earlier, body, identity)
      }
      throw new AppError('REGISTRATION_EXISTS', {
        detail:
          'This person already has a registration that is in progress or verified; follow it instead ' +
          'of starting another (a new one is possible once it is hard-rejected)',
        extensions: { registration_id: intent.existingId },
      })
    }
    claim?.boundInTransaction(id)
    return submit(intent.created, body, identity)
  }

  async function identityFor(body: CreateRegistrationBody) {
    return body.registration_type === 'landing_page' ? {} : prepareIdentity(body, deps.imageLimits, now())
  }

  /**
   * Sends the registration to Privy under its reference number. Also the probe that settles a lost
   * answer: the reference is unique per channel, so a repeat cannot create a second registration, and
   * Privy's 409 then says it already holds it.
   */
  async function submit(
    record: RegistrationRecord,
    body: CreateRegistrationBody,
    identity: Awaited<ReturnType<typeof identityFor>>,
  ): Promise<RegistrationView> {
    const { id } = record
    try {
      const result = await privy.registrations.register(
        {
          reference_number: record.referenceNumber,
          registration_type: body.registration_type,
          name: body.name,
          email: body.email,
          phone: body.phone,
          ...identity,
          ...(body.registration_type === 'landing_page' ? {} : { phone_verified: body.phone_verified }),
        },
        { onLateAnswer: (late) => adoptLateAnswer(id, late) },
      )
      return toRegistrationView(
        await repository.markSubmitted(id, {
          status: result.status,
          registerToken: result.register_token,
          registrationUrl: result.registration_url ?? null,
          syncedAt: now(),
        }),
      )
    } catch (error) {
      if (error instanceof PrivyApiError && error.status === 409) {
        // Reference numbers are random per row: a repeat means Privy holds an earlier call of this
        // very row (a probe of a lost answer), never someone else's. Its token comes by callback.
        await repository.markUnknown(id, { name: error.name, status: 409, reason: 'held by Privy' })
        throw operationPending(id, 'Privy holds this registration; it is settled by its next callback')
      }
      throw await recordCreateFailure(error, {
        resource: 'registration',
        id,
        record: (outcome, summary) =>
          outcome === 'unknown'
            ? repository.markUnknown(id, summary, lateAnswerDeadline(error))
            : repository.markFailed(id, summary),
        rejectedDetail: 'Privy refused the registration data',
        fieldNames: UPSTREAM_FIELD_NAMES,
      })
    }
  }

  /** Privy answered after the caller had been told "unknown": the answer settles the row. */
  async function adoptLateAnswer(id: string, late: LateAnswer<RegisterResult>): Promise<void> {
    if (late.ok) {
      await repository.adoptSubmitted(id, {
        registerToken: late.data.register_token,
        registrationUrl: late.data.registration_url ?? null,
        status: late.data.status,
      })
    } else if (late.error.outcome === 'not_applied' && late.error.status !== 409) {
      // A late refusal: Privy did not take it. (A late 5xx may have been taken: it stays unknown.)
      await repository.markFailed(id, { name: late.error.name, status: late.error.status, late: true })
    }
  }

  /**
   * A retry under the Idempotency-Key of a create whose outcome was unknown: answers from the row
   * once it is settled, waits while Privy's late answer may still come, then probes with the same
   * reference number.
   */
  async function resumeCreate(
    principal: Principal,
    id: string,
    body: CreateRegistrationBody,
    claim: IdempotencyClaim,
  ): Promise<RegistrationView> {
    const record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) return create(principal, body, claim)
    if (record.submission === 'submitted') return toRegistrationView(record)
    if (isAwaitingAnswer(record)) {
      throw operationPending(id, 'Privy may still answer the first request; retry shortly')
    }
    return submit(record, body, await identityFor(body))
  }

  /** Until the late answer's window closes (or, in flight, the first request's own budget). */
  function isAwaitingAnswer(record: RegistrationRecord): boolean {
    const until =
      record.submission === 'in_flight'
        ? new Date(record.createdAt.getTime() + deps.inFlightBudgetMs)
        : record.lateAnswerUntil
    return until !== null && until.getTime() > now().getTime()
  }

  function lateAnswerDeadline(error: unknown): Date | null {
    return error instanceof PrivyError && error.lateAnswerPending
      ? new Date(now().getTime() + deps.lateAnswerMs)
      : null
  }

  function naturalKeyOf(ownerId: string, body: CreateRegistrationBody): string {
    const person =
      body.registration_type === 'landing_page' || !body.nik
        ? `contact:${body.email.toLowerCase()}|${body.phone}`
        : `nik:${body.nik}`
    return deps.pii.lookupHash('registration', ownerId, person)
  }

  async function get(
    principal: Principal,
    id: string,
    options: { refresh: boolean },
  ): Promise<RegistrationView> {
    const record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Registration')
    if (!shouldRefresh(record, options.refresh)) return toRegistrationView(record)
    try {
      return toRegistrationView(await refresh(record))
    } catch (error) {
      // A background-style refresh must not turn a readable record into an error.
      if (!options.refresh && error instanceof PrivyError) return toRegistrationView(record)
      throw asAppError(error)
    }
  }

  function shouldRefresh(record: RegistrationRecord, explicit: boolean): boolean {
    if (record.submission !== 'submitted' || !record.registerToken) return false
    if (explicit) return true
    if (isSettled(record.status)) return false
    const age = record.syncedAt ? now().getTime() - record.syncedAt.getTime() : Number.POSITIVE_INFINITY
    return age >= deps.refreshAfterSeconds * 1000
  }

  async function refresh(record: RegistrationRecord): Promise<RegistrationRecord> {
    if (!record.registerToken) return record
    const upstream = await privy.registrations.status({
      reference_number: record.referenceNumber,
      register_token: record.registerToken,
    })
    return applyUpstreamStatus(record, upstream)
  }

  /** Guarded by what it read; a writer that lost the race reads again and re-judges its snapshot. */
  async function applyUpstreamStatus(
    record: RegistrationRecord,
    upstream: UpstreamRegistrationStatus,
    attempt = 0,
  ): Promise<RegistrationRecord> {
    const next: RegistrationStatus = upstream.status
    const syncedAt = now()
    const upstreamUpdatedAt = parseUpstreamTime(upstream.updated_at)
    const apply = shouldApply(
      {
        status: record.status,
        updatedAt: record.upstreamUpdatedAt,
        privyId: record.privyId,
        rejectCode: record.rejectCode,
      },
      {
        status: next,
        updatedAt: upstreamUpdatedAt,
        privyId: upstream.privy_id ?? null,
        rejectCode: upstream.reject_reason?.code ?? null,
      },
    )
    if (!apply) return repository.touchSynced(record.id, syncedAt)
    const applied = await repository.applyStatus(record, {
      status: next,
      privyId: upstream.privy_id ?? record.privyId,
      rejectCode: upstream.reject_reason?.code ?? null,
      rejectReason: upstream.reject_reason?.reason ?? null,
      canResend: next === 'rejected' && upstream.resend === true,
      syncedAt,
      upstreamUpdatedAt: upstreamUpdatedAt ?? record.upstreamUpdatedAt,
    })
    if (applied) return applied
    const fresh = await repository.findById(record.id)
    if (!fresh || attempt >= 5) return fresh ?? record
    return applyUpstreamStatus(fresh, upstream, attempt + 1)
  }

  async function resend(
    principal: Principal,
    id: string,
    body: ResendRegistrationBody,
    claim?: IdempotencyClaim,
  ): Promise<RegistrationView> {
    let record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Registration')
    if (isAwaitingAnswer(record)) throw operationPending(id, 'Privy has not yet answered the last resend')
    // The rejection may not have reached the gateway yet: ask Privy before refusing.
    if (record.status !== 'rejected' && shouldRefresh(record, true)) record = await refreshOrKeep(record)
    if (record.status !== 'rejected' || !record.canResend || !record.registerToken) {
      throw new AppError('REGISTRATION_NOT_RESENDABLE', {
        detail:
          record.status === 'rejected'
            ? 'This rejection is final (hard reject): the user must register again'
            : `The registration is ${record.status}; only a soft-rejected registration can be resent`,
        extensions: { registration_status: record.status },
      })
    }
    const identity = await prepareIdentity(body, deps.imageLimits, now())
    await claim?.bind(id)
    const rejection = { upstreamUpdatedAt: record.upstreamUpdatedAt, rejectCode: record.rejectCode }
    const accepted = async () => {
      // Only from the rejection this resend answered: a newer one that arrived meanwhile stays.
      await repository.moveStatus(
        id,
        'rejected',
        'waiting_verification',
        {
          canResend: false,
          rejectCode: null,
          rejectReason: null,
          lateAnswerUntil: null,
          ...(body.nik === undefined ? {} : sealIdentity(deps.pii, id, body)),
          // upstreamUpdatedAt stays the rejection's own time, by Privy's clock, not ours: a late copy
          // of that rejection is then not newer and is ignored, and Privy's next snapshot is, whatever
          // the skew between the two clocks.
        },
        rejection,
      )
    }
    try {
      await privy.registrations.resend(
        {
          reference_number: record.referenceNumber,
          register_token: record.registerToken,
          ...(body.name === undefined ? {} : { name: body.name }),
          ...identity,
        },
        {
          onLateAnswer: async (late) => {
            if (late.ok) await accepted()
            else await repository.awaitLateAnswer(id, null)
          },
        },
      )
    } catch (error) {
      if (error instanceof PrivyError && error.outcome === 'unknown') {
        // Privy may have taken the resend: its status says so, and then the caller is served.
        const settled = await refreshOrKeep(record)
        if (settled.status !== 'rejected') return toRegistrationView(settled)
        await repository.awaitLateAnswer(id, lateAnswerDeadline(error))
        throw outcomeUnknown(error, 'registration', record.id)
      }
      if (error instanceof PrivyApiError && error.status === 422) {
        throw upstreamRejected(error, 'Privy refused the corrected data', UPSTREAM_FIELD_NAMES)
      }
      throw asAppError(error)
    }
    await accepted()
    return toRegistrationView((await repository.findById(record.id)) ?? record)
  }

  /** A retry under the Idempotency-Key of a resend whose outcome was unknown. */
  async function resumeResend(
    principal: Principal,
    id: string,
    body: ResendRegistrationBody,
    claim: IdempotencyClaim,
  ): Promise<RegistrationView> {
    const record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Registration')
    if (isAwaitingAnswer(record)) throw operationPending(id, 'Privy has not yet answered the last resend')
    const settled = await refreshOrKeep(record)
    if (settled.status !== 'rejected') return toRegistrationView(settled)
    return resend(principal, id, body, claim)
  }

  async function refreshOrKeep(record: RegistrationRecord): Promise<RegistrationRecord> {
    try {
      return await refresh(record)
    } catch (error) {
      if (error instanceof PrivyError) return record
      throw error
    }
  }

  /** A status Privy pushed (callback): applied through the same forward-only state machine. */
  async function applyUpstream(
    referenceNumber: string,
    upstream: UpstreamRegistrationStatus,
  ): Promise<boolean> {
    let record = await repository.findByReference(referenceNumber)
    if (!record || record.submission === 'failed') return false
    if (record.submission !== 'submitted' && upstream.register_token) {
      record =
        (await repository.adoptSubmitted(record.id, { registerToken: upstream.register_token })) ?? record
    }
    const applied = await applyUpstreamStatus(record, upstream)
    return applied.status !== record.status || applied.privyId !== record.privyId
  }

  /** Every registration of the person, found through the NIK's lookup hash (an operator route). */
  async function lookupByNik(nik: string): Promise<{ data: RegistrationView[] }> {
    const records = await repository.findByNikLookup(nikLookupOf(deps.pii, nik))
    return { data: records.map(toRegistrationView) }
  }

  async function list(principal: Principal, query: { limit: number; cursor?: string }) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const records = await repository.listVisible({
      ownerId: ownerScope(principal).ownerId,
      limit: query.limit + 1,
      after,
    })
    const { page, nextCursor } = cursorPage(records, query.limit)
    return { data: page.map(toRegistrationView), next_cursor: nextCursor }
  }

  return {
    create,
    resumeCreate,
    get,
    list,
    lookupByNik,
    resend,
    resumeResend,
    applyUpstream,
    refreshForPoller: refresh,
  }
}

export type RegistrationService = ReturnType<typeof createRegistrationService>

/** The fields of a status read or a callback that the state machine uses. */
export interface UpstreamRegistrationStatus {
  status: RegistrationStatus
  privy_id?: string
  reject_reason?: { code: string; reason: string }
  resend?: boolean
  updated_at?: string
  register_token?: string
}

function parseUpstreamTime(value: string | undefined): Date | null {
  if (!value) return null
  const time = Date.parse(value)
  return Number.isNaN(time) ? null : new Date(time)
}
