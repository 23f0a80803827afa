import type { SimContext } from './context.js'
import type { DocumentProcessor } from './document-flow.js'
import { signRefusal } from './document-flow.js'
import type { SigningOtpInput } from './document-schemas.js'
import type { SimDocument } from './document-types.js'
import { addHistory } from './documents.js'
import { type ErrorItem, SimError } from './errors.js'
import {
  requireCode,
  requireNotExpired,
  requireResendAllowed,
  requireUsable,
  sendOtp,
  unsentOtp,
} from './otp.js'
import type { DocumentOtpTransaction, SimRegistration } from './state.js'

/**
 * Document-signing OTP (docs/privy-contract.md §4.2) apart from HTTP, under the same limits as the registration
 * OTP (otp.ts). One transaction covers one signer and one or more documents of one channel. Every
 * document is checked again at each step (request, resend, validation), because another signature,
 * a revoke or an expiry may have happened in between: a client must not assume the turn it saw.
 */

function signerRegistration(context: SimContext, privyId: string): SimRegistration {
  const registration = context.state.registrationByPrivyId(privyId)
  if (registration === undefined) {
    throw new SimError(422, [
      { field: 'signer_privy_id', messages: [`${privyId} is not the privy_id of a verified registration`] },
    ])
  }
  return registration
}

/** The documents, each of the channel and signable by the signer now; else 422 naming each token. */
function signableDocuments(
  context: SimContext,
  channelId: string,
  privyId: string,
  tokens: readonly string[],
): SimDocument[] {
  const errors: ErrorItem[] = []
  const documents: SimDocument[] = []
  tokens.forEach((token, index) => {
    const field = `document_tokens.${index}`
    const document = context.state.documentByToken(token)
    if (document === undefined || document.channelId !== channelId) {
      errors.push({ field, messages: [`document ${token} is not a document of channel ${channelId}`] })
      return
    }
    const refusal = signRefusal(document, privyId)
    if (refusal === undefined) documents.push(document)
    else errors.push({ field, messages: [`document ${token}: ${refusal.message}`] })
  })
  if (errors.length > 0) throw new SimError(422, errors)
  return documents
}

function noteOtpSent(context: SimContext, documents: SimDocument[], privyId: string): void {
  for (const document of documents) {
    const signer = document.signers.find((item) => item.privyId === privyId)
    if (signer !== undefined) addHistory(context, signer, 'OTP sent')
  }
}

/**
 * `POST /doc-signing/otp/request`. Like docs/privy-contract.md §4.1, each call starts a NEW transaction with its own
 * counters, even while an earlier one for the same documents is live.
 */
export function requestSigningOtp(context: SimContext, input: SigningOtpInput): DocumentOtpTransaction {
  const registration = signerRegistration(context, input.signer_privy_id)
  const documents = signableDocuments(context, input.channel_id, input.signer_privy_id, input.document_tokens)
  const transaction: DocumentOtpTransaction = {
    ...unsentOtp(context, input.channel_id, input.otp_channel),
    kind: 'document_signing',
    signerPrivyId: input.signer_privy_id,
    documentTokens: [...input.document_tokens],
  }
  sendOtp(context, transaction, registration)
  context.state.otps.set(transaction.transactionId, transaction)
  noteOtpSent(context, documents, input.signer_privy_id)
  return transaction
}

/** A registration OTP's id is as unknown here as one that does not exist. */
function transactionOf(context: SimContext, transactionId: string) {
  const transaction = context.state.otps.get(transactionId)
  if (transaction?.kind !== 'document_signing') throw new SimError(404, ['OTP transaction not found'])
  return { transaction, registration: signerRegistration(context, transaction.signerPrivyId) }
}

function documentsOf(context: SimContext, transaction: DocumentOtpTransaction): SimDocument[] {
  const { channelId, signerPrivyId, documentTokens } = transaction
  return signableDocuments(context, channelId, signerPrivyId, documentTokens)
}

/** `POST /doc-signing/otp/resend`: a new code replacing the old one, as in docs/privy-contract.md §4.1. */
export function resendSigningOtp(context: SimContext, transactionId: string): DocumentOtpTransaction {
  const { transaction, registration } = transactionOf(context, transactionId)
  const now = context.now()
  requireUsable(transaction, now)
  const documents = documentsOf(context, transaction)
  requireResendAllowed(transaction, now)
  sendOtp(context, transaction, registration)
  noteOtpSent(context, documents, transaction.signerPrivyId)
  return transaction
}

/**
 * `POST /doc-signing/otp/validation`: the signer signs every document of the transaction, or none
 * when one of them can no longer be signed (422 naming it; the code stays usable and is not counted
 * as wrong, as docs/privy-contract.md §4.1 does for a registration that left waiting_otp).
 */
export async function validateSigningOtp(
  context: SimContext,
  processor: DocumentProcessor,
  transactionId: string,
  code: string,
): Promise<SimDocument[]> {
  const { transaction } = transactionOf(context, transactionId)
  const now = context.now()
  requireUsable(transaction, now)
  requireNotExpired(transaction, now)
  const documents = documentsOf(context, transaction)
  requireCode(transaction, code)
  // Marked before the first await, so a concurrent second validation is refused as already validated.
  transaction.validatedAt = now
  for (const document of documents) await processor.sign(document, transaction.signerPrivyId)
  return documents
}
