import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors/app-error.js'
import {
  heldByPrivy,
  heldByPrivyPending,
  operationPending as pendingOn,
  recordCreateFailure,
} from '../../errors/upstream-failure/index.js'
import { maskEmail, maskPhone } from '../../lib/mask.js'
import { ownerIdFor, ownerScope, type Principal } from '../../lib/principal.js'
import type { LateAnswer, RegisterResult } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { emailLookupOf } from '../limits/index.js'
import type { RegistrationServiceDeps } from './registration.deps.js'
import { prepareIdentity } from './registration.identity.js'
import { sealIdentity } from './registration.pii.js'
import type { CreateRegistrationBody, RegistrationView } from './registration.schemas.js'
import type { RegistrationRecord } from './registration.types.js'
import { toRegistrationView } from './registration.view.js'

/** Privy's field names, where they differ from the API's. */
export const UPSTREAM_FIELD_NAMES: Record<string, string> = { identity: 'ktp' }

/** A retry that must wait: Privy may still answer, or holds the registration without telling its token. */
export const operationPending = (id: string, detail: string) => pendingOn('registration', id, detail)

/** How the service tells whether Privy may still answer, shared with resend. */
export interface AnswerTiming {
  isAwaitingAnswer(record: RegistrationRecord): boolean
  lateAnswerDeadline(error: unknown): Date | null
  /** What an action on a registration whose create Privy has not confirmed answers. */
  notSettled(record: RegistrationRecord): AppError
}

/**
 * Creating a registration: the intent and its natural key first, then Privy, and every way an
 * answer can be lost settled without a second registration at Privy (late answer, keyed retry,
 * probe with the same reference number).
 */
export function createRegistrationCreation(deps: RegistrationServiceDeps, timing: AnswerTiming) {
  const { repository, privy, now, answers } = deps
  const { isAwaitingAnswer, lateAnswerDeadline } = timing

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
        emailLookup: emailLookupOf(deps.pii, body.email),
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
        { onLateAnswer: (late) => adoptLateAnswer(record, late) },
      )
      const submitted = {
        status: result.status,
        registerToken: result.register_token,
        registrationUrl: result.registration_url ?? null,
        syncedAt: now(),
      }
      // With the database away the answer (its token above all) is kept and written once it is back.
      return toRegistrationView(
        await answers.writeOrKeep({
          key: `registration:${id}`,
          referenceNumber: record.referenceNumber,
          write: () => repository.markSubmitted(id, submitted),
        }),
      )
    } catch (error) {
      if (heldByPrivy(error)) {
        if (record.submission === 'unresolved') throw timing.notSettled(record)
        await repository.markUnknown(id, { name: error.name, status: 409, reason: 'held by Privy' })
        throw heldByPrivyPending('registration', id)
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

  /**
   * Privy answered after the caller had been told "unknown": the answer settles the row, now or, with
   * the database away, once it is back.
   */
  async function adoptLateAnswer(
    record: RegistrationRecord,
    late: LateAnswer<RegisterResult>,
  ): Promise<void> {
    const { id, referenceNumber } = record
    const key = `registration:${id}`
    if (late.ok) {
      const adopted = {
        registerToken: late.data.register_token,
        registrationUrl: late.data.registration_url ?? null,
        status: late.data.status,
      }
      await answers.write({ key, referenceNumber, write: () => repository.adoptSubmitted(id, adopted) })
    } else if (late.error.outcome === 'not_applied' && late.error.status !== 409) {
      // A late refusal: Privy did not take it. (A late 5xx may have been taken: it stays unknown.)
      const failure = { name: late.error.name, status: late.error.status, late: true }
      await answers.write({ key, referenceNumber, write: () => repository.markFailed(id, failure) })
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
    // Unknown, even past the settle bound: the retry carries the request, so it can probe.
    return submit(record, body, await identityFor(body))
  }

  function naturalKeyOf(ownerId: string, body: CreateRegistrationBody): string {
    const person =
      body.registration_type === 'landing_page' || !body.nik
        ? `contact:${body.email.toLowerCase()}|${body.phone}`
        : `nik:${body.nik}`
    return deps.pii.lookupHash('registration', ownerId, person)
  }

  return { create, resumeCreate }
}
