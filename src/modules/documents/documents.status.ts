import type { DocumentProcess, DocumentStatus } from '../../generated/prisma/client.js'

/**
 * The document state machine of docs/flows.md#document-state-machine. Privy's document status carries no time, so order comes
 * from the machine itself: only these moves are applied, terminal states never change, and the one
 * move that looks backwards (`processing_emeterai → uploaded`) is allowed only when the stamp comes
 * first and the signers sign after it.
 */
const TERMINAL: readonly DocumentStatus[] = ['completed', 'revoked', 'expired', 'error']

/**
 * The path each process takes; a move is allowed only forward along it (or to an end state). With the
 * e-Meterai first, a document is `uploaded` twice: before its stamp and after it, open for signing.
 */
const PATHS: Record<DocumentProcess, readonly string[]> = {
  sign_only: ['uploaded', 'processing', 'completed'],
  emeterai_only: ['uploaded', 'processing_emeterai', 'completed'],
  sign_then_emeterai: ['uploaded', 'processing', 'processing_emeterai', 'completed'],
  emeterai_then_sign: ['uploaded', 'processing_emeterai', 'uploaded_stamped', 'processing', 'completed'],
}

export function canMoveDocument(
  from: DocumentStatus,
  to: DocumentStatus,
  process: DocumentProcess,
  stamped = false,
): boolean {
  if (from === to || TERMINAL.includes(from)) return false
  if (to === 'revoked' || to === 'expired') return from === 'uploaded'
  if (to === 'error') return true
  const path = PATHS[process]
  const fromAt = path.indexOf(
    from === 'uploaded' && stamped && process === 'emeterai_then_sign' ? 'uploaded_stamped' : from,
  )
  const toAt = path.indexOf(to === 'uploaded' && process === 'emeterai_then_sign' ? 'uploaded_stamped' : to)
  return fromAt >= 0 && toAt > fromAt
}

export function isDocumentSettled(status: DocumentStatus): boolean {
  return TERMINAL.includes(status)
}
