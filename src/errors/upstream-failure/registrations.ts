import type { AppError } from '../app-error.js'
import { rejectionOr } from './general.js'

// Privy's answers about registrations that mean more than the generic mapping (docs/privy-contract.md §3).

/** A resend of corrected fields Privy refused (422): the refused fields, in the API's names. */
export function registrationResendRefusal(error: unknown, fieldNames: Record<string, string>): AppError {
  return rejectionOr(error, 'Privy refused the corrected data', fieldNames)
}
