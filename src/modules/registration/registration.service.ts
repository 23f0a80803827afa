import { AppError, notFound } from '../../errors/app-error.js'
import { asAppError, outcomeUnknown, upstreamRejected } from '../../errors/upstream-failure.js'
import type { RegistrationStatus } from '../../generated/prisma/client.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import {
  isAwaitingAnswer as awaiting,
  lateAnswerDeadline as deadlineOf,
  outcomeNotSettled,
} from '../../lib/late-answer.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { syncedAtIsDue } from '../../lib/sync-heartbeat.js'
import { PrivyApiError, PrivyError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { createRegistrationCreation, operationPending, UPSTREAM_FIELD_NAMES } from './registration.create.js'
import type { RegistrationServiceDeps } from './registration.deps.js'
import { prepareIdentity } from './registration.identity.js'
import { nikLookupOf, sealIdentity } from './registration.pii.js'
import type { RegistrationRecord } from './registration.repository.js'
import type {
  ListRegistrationsQuery,
  RegistrationView,
  ResendRegistrationBody,
} from './registration.schemas.js'
import { isSettled, shouldApply } from './registration.status.js'
import { toRegistrationView } from './registration.view.js'

export function createRegistrationService(deps: RegistrationServiceDeps) {
  const { repository, privy, now } = deps

  const isAwaitingAnswer = (record: RegistrationRecord) => awaiting(record, now(), deps.inFlightBudgetMs)
  const lateAnswerDeadline = (error: unknown) => deadlineOf(error, now(), deps.lateAnswerMs)
  const notSettled = (record: RegistrationRecord) =>
    outcomeNotSettled('registration', record, now(), deps.inFlightBudgetMs)

  /** The view, with whether an OTP is live when that decides `next_action` (waiting_otp only). */
  async function view(record: RegistrationRecord): Promise<RegistrationView> {
    const liveOtp = record.status === 'waiting_otp' && (await repository.hasLiveOtp(record.id, now()))
    return toRegistrationView(record, liveOtp)
  }

  async function get(
    principal: Principal,
    id: string,
    options: { refresh: boolean },
  ): Promise<RegistrationView> {
    const record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Registration')
    if (!shouldRefresh(record, options.refresh)) return view(record)
    try {
      return await view(await refresh(record))
    } catch (error) {
      // A background-style refresh must not turn a readable record into an error.
      if (!options.refresh && error instanceof PrivyError) return view(record)
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
    if (!apply) {
      if (!syncedAtIsDue(record.syncedAt, syncedAt, deps.refreshAfterSeconds)) return record
      return repository.touchSynced(record.id, syncedAt)
    }
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
    // Privy has not confirmed the registration itself: there is nothing to resend to yet.
    if (record.submission !== 'submitted') throw notSettled(record)
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
      if (error instanceof PrivyApiError && error.status === 422 && !error.bodyUnreadable) {
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
    if (record.submission !== 'submitted') throw notSettled(record)
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
    return { data: await Promise.all(records.map(view)) }
  }

  async function list(principal: Principal, query: ListRegistrationsQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const records = await repository.listVisible({
      ownerId: ownerScope(principal).ownerId,
      ...(query.submission ? { submission: query.submission } : {}),
      limit: query.limit + 1,
      after,
    })
    const { page, nextCursor } = cursorPage(records, query.limit)
    return { data: await Promise.all(page.map(view)), next_cursor: nextCursor }
  }

  const { create, resumeCreate } = createRegistrationCreation(deps, {
    isAwaitingAnswer,
    lateAnswerDeadline,
    notSettled,
  })

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

export type { RegistrationServiceDeps } from './registration.deps.js'
