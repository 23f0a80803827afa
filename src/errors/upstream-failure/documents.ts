import { AppError } from '../app-error.js'
import { asAppError, refusedData } from './general.js'

// Privy's answers about documents that mean more than the generic mapping (docs/privy-contract.md §5).

/** A revoke Privy refused (422): every signer has signed, or the document is already closed. */
export function revokeRefusal(error: unknown): AppError {
  if (refusedData(error)) {
    return new AppError('DOCUMENT_NOT_REVOCABLE', {
      detail: 'Privy refused: every signer has signed, or it is already closed',
    })
  }
  return asAppError(error)
}
