import type { FastifyBaseLogger } from 'fastify'
import type { DocumentJobs } from '../modules/documents/index.js'
import type { OtpJobs } from '../modules/otp/index.js'
import type { RegistrationJobs } from '../modules/registration/index.js'

export interface ReconcilerDeps {
  registrations: Pick<RegistrationJobs, 'leaseUnsettled' | 'markUnresolved' | 'markUnknown'>
  documents: Pick<DocumentJobs, 'leaseUnsettled' | 'markUnresolved' | 'markOutcome'>
  otps: OtpJobs
  now: () => Date
  logger: FastifyBaseLogger
  /** A request's own budget: a row still `in_flight` after it lost its request with its instance. */
  inFlightBudgetMs: number
  /**
   * The bound on an unknown create (UNKNOWN_SETTLE_MINUTES), counted from the request: settled by then,
   * or handed to an operator as `unresolved` and the person or PDF freed.
   */
  settleBoundMs: number
}

const BATCH = 20
/** Every move below is final for its row, so a lease only has to outlive the sweep that took it. */
const LEASE_MS = 60_000

/**
 * Moves operations whose outcome is not known. Privy's status calls need the token that only the lost
 * answer carried (docs/privy-contract.md §3.3, §5.3), and the gateway keeps no image or PDF to send again, so what
 * settles an unknown create is its late answer, Privy's callback (which names the token), a kept
 * answer written when the database is back (answer-keeper.ts), or the caller's keyed retry, which
 * probes with the same reference number (docs/privy-contract.md §3.1/§5.1: unique per channel, so a repeat cannot create a
 * second one). What is left here: rows whose request died with its instance become `unknown`; OTP
 * sends whose transaction id never came stop blocking a new send once a code they may have sent has
 * expired (an OTP transaction has no status call: only time settles it); and a create still unknown at
 * the settle bound becomes `unresolved`: an error log names its reference for an operator to check
 * with Privy, operators list them (`?submission=unresolved`), and the person (or PDF) may try again.
 * A later proof of the outcome still settles it.
 */
export function createReconciler(deps: ReconcilerDeps) {
  const { registrations, documents, otps, logger } = deps
  const boundMinutes = Math.round(deps.settleBoundMs / 60_000)

  async function sweep(): Promise<number> {
    const now = deps.now()
    const lease = {
      now,
      inFlightBefore: new Date(now.getTime() - deps.inFlightBudgetMs),
      settleBefore: new Date(now.getTime() - deps.settleBoundMs),
      leaseUntil: new Date(now.getTime() + LEASE_MS),
      limit: BATCH,
    }
    const pastBound = (record: { createdAt: Date }) => record.createdAt < lease.settleBefore
    const unresolved = {
      reason: `no outcome from Privy within ${boundMinutes} minutes: handed to an operator`,
    }
    let worked = 0

    for (const record of await registrations.leaseUnsettled(lease)) {
      worked++
      const ids = { registration_id: record.id, reference_number: record.referenceNumber }
      if (pastBound(record)) {
        if (await registrations.markUnresolved(record.id, unresolved)) {
          logger.error(
            { ...ids, settle_minutes: boundMinutes },
            'registration outcome unresolved: handed to an operator, the person may register again; ' +
              'check this reference with Privy',
          )
        }
      } else {
        await registrations.markUnknown(record.id, {
          reason: 'the request was lost with its gateway instance',
        })
        logger.warn(ids, 'registration left in flight by a lost request: now unknown')
      }
    }
    for (const record of await documents.leaseUnsettled(lease)) {
      worked++
      const ids = { document_id: record.id, reference_number: record.referenceNumber }
      if (pastBound(record)) {
        if (await documents.markUnresolved(record.id, unresolved)) {
          logger.error(
            { ...ids, settle_minutes: boundMinutes },
            'document outcome unresolved: handed to an operator, the PDF may be sent again; ' +
              'check this reference with Privy',
          )
        }
      } else {
        await documents.markOutcome(record.id, 'unknown', {
          reason: 'the request was lost with its gateway instance',
        })
        logger.warn(ids, 'document left in flight by a lost request: now unknown')
      }
    }
    const lostSends = await otps.failLostSends({ inFlightBefore: lease.inFlightBefore, now })
    if (lostSends > 0)
      logger.warn({ count: lostSends }, 'OTP sends without an answer no longer block a new send')
    return worked + lostSends
  }

  return { sweep }
}
