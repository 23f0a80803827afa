import type { DocumentProcess, DocumentStatus } from '../../generated/prisma/client.js'

/**
 * The document state machine of flows.md. Privy's document status carries no time, so order comes
 * from the machine itself: only these moves are applied, terminal states never change, and the one
 * move that looks backwards (`processing_emeterai → uploaded`) is allowed only when the stamp comes
 * first and the signers sign after it.
 */
const MOVES: Record<DocumentStatus, readonly DocumentStatus[]> = {
  uploaded: ['processing', 'processing_emeterai', 'completed', 'revoked', 'expired', 'error'],
  processing_emeterai: ['processing', 'completed', 'error'],
  processing: ['processing_emeterai', 'completed', 'error'],
  completed: [],
  revoked: [],
  expired: [],
  error: [],
}

export function canMoveDocument(from: DocumentStatus, to: DocumentStatus, process: DocumentProcess): boolean {
  if (from === 'processing_emeterai' && to === 'uploaded') return process === 'emeterai_then_sign'
  return MOVES[from].includes(to)
}

export function isDocumentSettled(status: DocumentStatus): boolean {
  return MOVES[status].length === 0
}

/** contract §5.1 `doc_process` */
export const DOC_PROCESS_CODES: Record<DocumentProcess, '0' | '1' | '2' | '3'> = {
  sign_only: '0',
  emeterai_only: '1',
  sign_then_emeterai: '2',
  emeterai_then_sign: '3',
}
