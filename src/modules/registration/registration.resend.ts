import { AppError, notFound } from '../../errors/app-error.js'
import { outcomeUnknown, registrationResendRefusal } from '../../errors/upstream-failure/index.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import { PrivyError } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { type AnswerTiming, operationPending, UPSTREAM_FIELD_NAMES } from './registration.create.js'
import type { RegistrationServiceDeps } from './registration.deps.js'
import { prepareIdentity } from './registration.identity.js'
import { sealIdentity } from './registration.pii.js'
import type { RegistrationView, ResendRegistrationBody } from './registration.schemas.js'
import type { RegistrationSync } from './registration.sync.js'
import { toRegistrationView } from './registration.view.js'

/** Resending the corrected fields of a soft-rejected registration (docs/privy-contract.md §3.4). */
export function createRegistrationResend(
  deps: RegistrationServiceDeps,
  timing: AnswerTiming,
  sync: Pick<RegistrationSync, 'shouldRefresh' | 'refreshOrKeep'>,
) {
  const { repository, privy, now } = deps
  const { isAwaitingAnswer, lateAnswerDeadline, notSettled } = timing
  const { shouldRefresh, refreshOrKeep } = sync

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
      throw registrationResendRefusal(error, UPSTREAM_FIELD_NAMES)
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

  return { resend, resumeResend }
}
