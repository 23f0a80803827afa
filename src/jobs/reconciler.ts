import type { FastifyBaseLogger } from 'fastify'
import type { DocumentRepository } from '../modules/documents/documents.repository.js'
import type { OtpRepository } from '../modules/otp/otp.repository.js'
import type { RegistrationRepository } from '../modules/registration/registration.repository.js'

export interface ReconcilerDeps {
  registrations: RegistrationRepository
  documents: DocumentRepository
  otps: OtpRepository
  now: () => Date
  logger: FastifyBaseLogger
  /** A request's own budget: a row still `in_flight` after it lost its request with its instance. */
  inFlightBudgetMs: number
  /** After this long an `unknown` create stops blocking the person or PDF from a new attempt. */
  giveUpMs: number
}

const BATCH = 20
/** The next look at a row that nothing could settle this time. */
const RECHECK_MS = 3600_000

/**
 * Settles operations whose outcome is not known. Privy's status calls need the token that only the
 * lost answer carried (contract §3.3, §5.3), so a create is settled by its late answer, by Privy's
 * callback (which names the token) or by the caller's keyed retry, which probes with the same
 * reference number. What is left here: rows whose request died with its instance become `unknown`;
 * OTP sends whose transaction id never came stop blocking a new send once a code they may have sent
 * has expired (an OTP transaction has no status call: only time settles it); and a create unknown
 * for too long stops blocking the person (or PDF) from another attempt, loudly.
 */
export function createReconciler(deps: ReconcilerDeps) {
  const { registrations, documents, otps, logger } = deps

  async function sweep(): Promise<number> {
    const now = deps.now()
    const lease = {
      now,
      inFlightBefore: new Date(now.getTime() - deps.inFlightBudgetMs),
      leaseUntil: new Date(now.getTime() + RECHECK_MS),
      limit: BATCH,
    }
    const giveUpBefore = now.getTime() - deps.giveUpMs
    let worked = 0

    for (const record of await registrations.leaseUnsettled(lease)) {
      worked++
      if (record.submission === 'in_flight') {
        await registrations.markUnknown(record.id, {
          reason: 'the request was lost with its gateway instance',
        })
        logger.warn(
          { registration_id: record.id },
          'registration left in flight by a lost request: now unknown',
        )
      } else if (
        record.createdAt.getTime() < giveUpBefore &&
        (await registrations.hasNaturalKey(record.id))
      ) {
        await registrations.releaseNaturalKey(record.id)
        logger.error(
          { registration_id: record.id, reference_number: record.referenceNumber },
          'registration outcome still unknown: the person may now register again; check Privy for this reference',
        )
      }
    }
    for (const record of await documents.leaseUnsettled(lease)) {
      worked++
      if (record.submission === 'in_flight') {
        await documents.markOutcome(record.id, 'unknown', {
          reason: 'the request was lost with its gateway instance',
        })
        logger.warn({ document_id: record.id }, 'document left in flight by a lost request: now unknown')
      } else if (record.createdAt.getTime() < giveUpBefore && (await documents.hasNaturalKey(record.id))) {
        await documents.releaseNaturalKey(record.id)
        logger.error(
          { document_id: record.id, reference_number: record.referenceNumber },
          'document outcome still unknown: the PDF may now be sent again; check Privy for this reference',
        )
      }
    }
    const lostSends = await otps.failLostSends({ inFlightBefore: lease.inFlightBefore, now })
    if (lostSends > 0)
      logger.warn({ count: lostSends }, 'OTP sends without an answer no longer block a new send')
    return worked + lostSends
  }

  return { sweep }
}
