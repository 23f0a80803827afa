import { AppError, notFound } from '../../errors/app-error.js'
import type { ErrorCode } from '../../errors/error-codes.js'
import { outcomeNotSettled } from '../../lib/late-answer.js'
import type { DocumentRepository } from './documents.repository.js'
import type { DocumentSync } from './documents.sync.js'
import type { DocumentRecord } from './documents.types.js'

export interface SigningSeat {
  privyId: string
  documents: DocumentRecord[]
}

/**
 * Which documents the calling user may sign now, as one signer (one OTP covers several documents of
 * the same signer, docs/privy-contract.md §4.2). Serial signing refuses a signer whose turn has not come, here,
 * before an SMS is spent.
 */
async function signingSeat(
  documents: DocumentRepository,
  userOwnerId: string,
  documentIds: string[],
  now: Date,
  sync?: DocumentSync,
): Promise<SigningSeat> {
  const unique = [...new Set(documentIds)]
  let found = await documents.signerSeats(unique, userOwnerId)
  // Before an SMS is spent, each document's real state: a stamp may still be running.
  if (sync)
    found = await Promise.all(
      found.map((document) => sync.refreshIfDue(document, true).catch(() => document)),
    )
  const missing = unique.filter((id) => !found.some((document) => document.id === id))
  if (missing.length > 0) throw notFound('Document')
  const privyIds = new Set<string>()
  for (const document of found) {
    const seat = document.signers.find(
      (signer) => signer.userOwnerId === userOwnerId && signer.role === 'signer',
    )
    if (!seat) throw notFound('Document')
    // Privy has not confirmed the upload (it reads as pending): pending, never "not found".
    if (document.submission !== 'submitted') throw outcomeNotSettled('document', document, now, 0)
    privyIds.add(seat.privyId)
    if (document.status !== 'uploaded') {
      throw conflict('DOCUMENT_NOT_SIGNABLE', document, `is ${document.status}; it cannot be signed now`)
    }
    if (seat.status !== 'waiting') {
      throw conflict('DOCUMENT_ALREADY_SIGNED', document, `was already ${seat.status} by this signer`)
    }
    if (document.signProcess === 'serial') {
      const before = document.signers.filter(
        (signer) => signer.role === 'signer' && signer.position < seat.position,
      )
      if (before.some((signer) => signer.status !== 'signed')) {
        throw conflict(
          'NOT_YOUR_TURN',
          document,
          'is signed in order, and an earlier signer has not signed yet: not your turn',
        )
      }
    }
  }
  if (privyIds.size !== 1) {
    throw new AppError('UNPROCESSABLE', {
      detail: 'One OTP covers the documents of one signer; these name different Privy accounts',
    })
  }
  return { privyId: [...privyIds][0] ?? '', documents: found }
}

/** After a validated signing OTP: the signer counts as having signed; Privy's status tells what followed. */
async function recordSignatures(
  documents: DocumentRepository,
  sync: DocumentSync,
  documentIds: string[],
  privyId: string,
  signedAt: Date,
): Promise<void> {
  for (const id of documentIds) {
    const document = await documents.findVisible(id)
    if (!document) continue
    const marked = await sync.apply(document, {
      status: document.status,
      signers: [{ privy_id: privyId, status: 'signed', signed_at: signedAt.toISOString() }],
    })
    await documents.addEvent(id, 'signed', `Signed by ${privyId} with an OTP`)
    await sync.refresh(marked).catch(() => marked)
  }
}

function conflict(code: ErrorCode, document: DocumentRecord, what: string): AppError {
  return new AppError(code, {
    detail: `Document ${document.id} ${what}`,
    extensions: { document_id: document.id, document_status: document.status },
  })
}

/**
 * What the OTP module may ask of documents about signing: whose turn it is (serial order, one signer
 * per OTP) and recording a signature once the code was right. The rules stay here, with documents.
 */
export function createDocumentSigning(deps: {
  documents: DocumentRepository
  sync: DocumentSync
  now: () => Date
}) {
  return {
    /** The seat of this user on these documents; with `refresh`, each document's state asked of Privy first. */
    signableBy: (userOwnerId: string, documentIds: string[], options: { refresh?: boolean } = {}) =>
      signingSeat(
        deps.documents,
        userOwnerId,
        documentIds,
        deps.now(),
        options.refresh ? deps.sync : undefined,
      ),
    recordSignatures: (documentIds: string[], privyId: string) =>
      recordSignatures(deps.documents, deps.sync, documentIds, privyId, deps.now()),
  }
}

export type DocumentSigning = ReturnType<typeof createDocumentSigning>
