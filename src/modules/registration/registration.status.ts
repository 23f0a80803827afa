import type { RegistrationStatus } from '../../generated/prisma/client.js'

/**
 * The registration state machine of docs/flows.md#registration-state-machine. Upstream snapshots (status reads, callbacks) may skip
 * steps (a poll can jump from pending to verified) but never move a registration backwards, and a
 * snapshot older than the newest one applied is stale, whatever it says. Leaving `rejected` needs a
 * snapshot newer than the rejection (a resend was accepted), so a late copy of the rejection that
 * preceded a resend cannot bring it back. `verified` is final.
 */
const FORWARD_MOVES: Record<RegistrationStatus, readonly RegistrationStatus[]> = {
  pending: ['waiting_verification', 'verified', 'rejected'],
  waiting_otp: ['waiting_verification', 'verified', 'rejected'],
  waiting_verification: ['verified', 'rejected'],
  verified: [],
  rejected: [],
}

/** After a resend Privy verifies again: these moves need proof that the snapshot is newer. */
const MOVES_AFTER_RESEND: readonly RegistrationStatus[] = ['waiting_verification', 'verified', 'rejected']

export interface StatusSnapshot {
  status: RegistrationStatus
  updatedAt: Date | null
  privyId: string | null
  rejectCode: string | null
}

export function canMove(from: RegistrationStatus, to: RegistrationStatus): boolean {
  return FORWARD_MOVES[from].includes(to)
}

export function isSettled(status: RegistrationStatus): boolean {
  return FORWARD_MOVES[status].length === 0
}

/** Whether an upstream snapshot should replace what the gateway holds. */
export function shouldApply(current: StatusSnapshot, next: StatusSnapshot): boolean {
  const newer =
    next.updatedAt !== null &&
    (current.updatedAt === null || next.updatedAt.getTime() > current.updatedAt.getTime())
  const older = next.updatedAt !== null && current.updatedAt !== null && !newer
  if (older) return false
  if (current.status === 'verified')
    return next.status === 'verified' && !current.privyId && Boolean(next.privyId)
  if (current.status === 'rejected') {
    return newer && MOVES_AFTER_RESEND.includes(next.status) && differs(current, next)
  }
  if (next.status === current.status) return differs(current, next)
  return canMove(current.status, next.status)
}

function differs(current: StatusSnapshot, next: StatusSnapshot): boolean {
  return (
    current.status !== next.status ||
    (next.privyId !== null && next.privyId !== current.privyId) ||
    current.rejectCode !== next.rejectCode
  )
}
