import type { FastifyBaseLogger } from 'fastify'
import type { DocumentJobs } from '../modules/documents/index.js'
import type { RegistrationJobs } from '../modules/registration/index.js'

export interface PollerDeps {
  registrations: Pick<RegistrationJobs, 'leaseStale' | 'refreshForPoller'>
  documents: Pick<DocumentJobs, 'leaseStale' | 'refresh'>
  now: () => Date
  logger: FastifyBaseLogger
  /** A registration or document that has not been synced for this long is asked about again. */
  staleAfterMs: number
}

const BATCH = 20
/** A row that failed to refresh is left alone this long, so a Privy outage is not hammered. */
const LEASE_MS = 5 * 60_000

/**
 * Settles what callbacks missed: registrations and documents that are not settled and have not been
 * synced for a while are re-read from Privy, through the same forward-only state machines. Each row
 * is leased first, so of several instances exactly one asks about it.
 */
export function createPoller(deps: PollerDeps) {
  const { logger } = deps

  async function sweep(): Promise<number> {
    const now = deps.now()
    const lease = {
      now,
      staleBefore: new Date(now.getTime() - deps.staleAfterMs),
      leaseUntil: new Date(now.getTime() + LEASE_MS),
      limit: BATCH,
    }
    let worked = 0
    for (const record of await deps.registrations.leaseStale(lease)) {
      worked++
      await deps.registrations
        .refreshForPoller(record)
        .catch((error: unknown) =>
          logger.warn({ err: error, registration_id: record.id }, 'poller could not refresh a registration'),
        )
    }
    for (const record of await deps.documents.leaseStale(lease)) {
      worked++
      await deps.documents
        .refresh(record)
        .catch((error: unknown) =>
          logger.warn({ err: error, document_id: record.id }, 'poller could not refresh a document'),
        )
    }
    return worked
  }

  return { sweep }
}
