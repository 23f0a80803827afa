import type { FastifyBaseLogger } from 'fastify'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import type { LimitRule, LimitsService } from '../limits/index.js'
import { clientAddressKey } from '../limits/index.js'
import type { CallbackRepository, RejectedCallback } from './callback.repository.js'

/** How many refused (401) callbacks are kept as evidence, per clock hour (config `callbacks`). */
export interface RejectedCallbackLimits {
  /** From one client address (IPv6 by /64). */
  storedPerAddressPerHour: number
  /** From every address together: what bounds the table whatever number of addresses sends. */
  storedPerHour: number
}

export interface CallbackRefusalsDeps {
  repository: Pick<CallbackRepository, 'insertRejected'>
  limits: Pick<LimitsService, 'take'>
  pii: Pick<PiiCipher, 'lookupHash'>
  settings: RejectedCallbackLimits
}

const HOUR = 3600

/**
 * A counter, not a gate: the limits service's windows count every refusal, shared by every instance,
 * and this module decides from the counts what is stored. `max` is never reached, so `take` never
 * refuses (its 429 code is never used): one upsert per count.
 */
function counter(name: string, description: string): LimitRule {
  return {
    name,
    max: Number.MAX_SAFE_INTEGER,
    windowSeconds: HOUR,
    window: 'fixed',
    code: 'OTP_RATE_LIMITED',
    description,
  }
}

export const REJECTED_CALLBACK_COUNTERS = {
  perAddress: counter(
    'privy_callbacks_rejected_per_address_per_hour',
    'refused Privy callbacks per client address per clock hour',
  ),
  /** Only refusals within their address's limit are counted here. */
  all: counter('privy_callbacks_rejected_per_hour', 'refused Privy callbacks per clock hour'),
}

/**
 * Refused (unsigned, forged, stale) callbacks cost their sender nothing, so what the gateway keeps
 * of them is bounded. Each one is counted per client address and clock hour; within that address's
 * limit it is counted once more against the limit of every address together (so one flooding address
 * cannot use up the others' share), and kept (without its body) only within both. Past a limit it is
 * counted, not stored, and a log line carries the count at the 1st, 10th, 100th and every 1,000th
 * such refusal of the hour (the counts are exact across instances, so one instance logs each mark).
 */
export function createCallbackRefusals(deps: CallbackRefusalsDeps) {
  const { settings } = deps
  const { perAddress, all } = REJECTED_CALLBACK_COUNTERS

  const countOne = async (rule: LimitRule, subject: string) =>
    (await deps.limits.take([{ rule, subject }])).counts[0] ?? 0

  return async function keepRejected(
    describe: () => RejectedCallback,
    reason: string,
    ip: string,
    log: FastifyBaseLogger,
  ): Promise<void> {
    const address = clientAddressKey(ip)
    // Which client, for whoever reads the logs, without its address (a keyed HMAC, cut short).
    const client = deps.pii.lookupHash('privy-callback-client', address).slice(0, 16)
    const notStored = (limit: LimitRule, count: number, allowed: number) => {
      const over = count - allowed
      if (!isMark(over)) return
      log.warn(
        { limit: limit.name, stored_per_hour: allowed, not_stored_this_hour: over, client, reason },
        'privy callbacks rejected past the storage limit: counted, not stored',
      )
    }
    try {
      const fromAddress = await countOne(perAddress, address)
      if (fromAddress > settings.storedPerAddressPerHour) {
        return notStored(perAddress, fromAddress, settings.storedPerAddressPerHour)
      }
      const inAll = await countOne(all, 'all')
      if (inAll > settings.storedPerHour) return notStored(all, inAll, settings.storedPerHour)
      const callback = describe()
      const kept = await deps.repository.insertRejected(callback, reason)
      log.warn(
        {
          callback_id: kept ? callback.id : undefined,
          canonical_sha256: callback.canonicalSha256,
          reason,
          client,
        },
        'privy callback rejected',
      )
    } catch (error) {
      // The caller is refused either way; failing to count or keep the evidence must not change that.
      log.warn({ err: error, reason, client }, 'privy callback rejected and could not be counted or kept')
    }
  }
}

export type CallbackRefusals = ReturnType<typeof createCallbackRefusals>

function isMark(count: number): boolean {
  return count === 1 || count === 10 || count === 100 || count % 1000 === 0
}
