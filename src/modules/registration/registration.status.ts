import type { RegistrationStatus } from '../../generated/prisma/client.js'

/**
 * The registration state machine of flows.md. Upstream reads may skip steps (a status poll can
 * jump from pending to verified) but never move backwards; `rejected → waiting_verification`
 * happens only through the gateway's own resend, never from a read.
 */
const FORWARD_MOVES: Record<RegistrationStatus, readonly RegistrationStatus[]> = {
  pending: ['waiting_verification', 'verified', 'rejected'],
  waiting_otp: ['waiting_verification', 'verified', 'rejected'],
  waiting_verification: ['verified', 'rejected'],
  verified: [],
  rejected: [],
}

export function canMove(from: RegistrationStatus, to: RegistrationStatus): boolean {
  return FORWARD_MOVES[from].includes(to)
}

export function isSettled(status: RegistrationStatus): boolean {
  return FORWARD_MOVES[status].length === 0
}
