import type { RegistrationStatus } from '../../generated/prisma/client.js'
import { syncedAtIsDue } from '../../lib/sync-heartbeat.js'
import { PrivyError } from '../../privy/index.js'
import type { RegistrationServiceDeps } from './registration.deps.js'
import type { RegistrationRecord } from './registration.repository.js'
import { isSettled, shouldApply } from './registration.status.js'

/**
 * Refreshing a registration from Privy, asked (a status read) or told (a callback), through the same
 * forward-only state machine (registration.status.ts); documents.sync.ts is its twin for documents.
 */
export function createRegistrationSync(deps: RegistrationServiceDeps) {
  const { repository, privy, now } = deps

  function shouldRefresh(record: RegistrationRecord, explicit: boolean): boolean {
    if (record.submission !== 'submitted') return false
    if (!explicit) {
      if (isSettled(record.status)) return false
      const age = record.syncedAt ? now().getTime() - record.syncedAt.getTime() : Number.POSITIVE_INFINITY
      if (age < deps.refreshAfterSeconds * 1000) return false
    }
    // Last: reading the token opens it (AES-GCM), which a read that asks Privy nothing need not pay.
    return Boolean(record.registerToken)
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
      return repository.touchSynced(record, syncedAt)
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

  return { shouldRefresh, refresh, refreshOrKeep, applyUpstream }
}

export type RegistrationSync = ReturnType<typeof createRegistrationSync>

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
