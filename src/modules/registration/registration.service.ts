import { notFound } from '../../errors/app-error.js'
import { asAppError } from '../../errors/upstream-failure/index.js'
import { cursorPage, decodeCursor } from '../../lib/cursor.js'
import {
  isAwaitingAnswer as awaiting,
  lateAnswerDeadline as deadlineOf,
  outcomeNotSettled,
} from '../../lib/late-answer.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { PrivyError } from '../../privy/index.js'
import { listFiltersOf, ownerFor } from '../list-filters.js'
import { createRegistrationCreation } from './registration.create.js'
import type { RegistrationServiceDeps } from './registration.deps.js'
import { nikLookupOf } from './registration.pii.js'
import type { RegistrationRecord } from './registration.repository.js'
import { createRegistrationResend } from './registration.resend.js'
import type { ListRegistrationsQuery, RegistrationView } from './registration.schemas.js'
import { createRegistrationSync } from './registration.sync.js'
import { toRegistrationView } from './registration.view.js'

export type { UpstreamRegistrationStatus } from './registration.sync.js'

/**
 * Registrations as the routes see them, one operation a file: create (registration.create.ts), resend
 * (registration.resend.ts), refresh from Privy (registration.sync.ts); reading, listing, lookup here.
 */
export function createRegistrationService(deps: RegistrationServiceDeps) {
  const { repository, now } = deps
  const sync = createRegistrationSync(deps)
  const { shouldRefresh, refresh, applyUpstream } = sync

  const isAwaitingAnswer = (record: RegistrationRecord) => awaiting(record, now(), deps.inFlightBudgetMs)
  const lateAnswerDeadline = (error: unknown) => deadlineOf(error, now(), deps.lateAnswerMs)
  const notSettled = (record: RegistrationRecord) =>
    outcomeNotSettled('registration', record, now(), deps.inFlightBudgetMs)

  /** The view, with whether an OTP is live when that decides `next_action` (waiting_otp only). */
  async function view(record: RegistrationRecord, principal?: Principal): Promise<RegistrationView> {
    const liveOtp = record.status === 'waiting_otp' && (await repository.hasLiveOtp(record.id, now()))
    const shown = toRegistrationView(record, liveOtp)
    return principal ? { ...shown, ...ownerFor(principal, record.ownerId) } : shown
  }

  async function get(
    principal: Principal,
    id: string,
    options: { refresh: boolean },
  ): Promise<RegistrationView> {
    const record = await repository.findVisible(id, ownerScope(principal).ownerId)
    if (!record) throw notFound('Registration')
    if (!shouldRefresh(record, options.refresh)) return view(record, principal)
    try {
      return await view(await refresh(record), principal)
    } catch (error) {
      // A background-style refresh must not turn a readable record into an error.
      if (!options.refresh && error instanceof PrivyError) return view(record, principal)
      throw asAppError(error)
    }
  }

  /** Every registration of the person, found through the NIK's lookup hash (an operator route). */
  async function lookupByNik(principal: Principal, nik: string): Promise<{ data: RegistrationView[] }> {
    const records = await repository.findByNikLookup(nikLookupOf(deps.pii, nik))
    return { data: await Promise.all(records.map((record) => view(record, principal))) }
  }

  async function list(principal: Principal, query: ListRegistrationsQuery) {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const records = await repository.listVisible({
      ...listFiltersOf(principal, query),
      ...(query.submission ? { submission: query.submission } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.registration_type ? { registrationType: query.registration_type } : {}),
      limit: query.limit + 1,
      after,
    })
    const { page, nextCursor } = cursorPage(records, query.limit)
    return {
      data: await Promise.all(page.map((record) => view(record, principal))),
      next_cursor: nextCursor,
    }
  }

  const timing = { isAwaitingAnswer, lateAnswerDeadline, notSettled }
  const { create, resumeCreate } = createRegistrationCreation(deps, timing)
  const { resend, resumeResend } = createRegistrationResend(deps, timing, sync)

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

export type { RegistrationServiceDeps } from './registration.deps.js'
