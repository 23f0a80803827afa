import { z } from 'zod'
import type { SideEffectOptions } from '../late-answers.js'
import { lateAnswerOnly, type PrivyOperation, type PrivyRequester } from '../request.js'
import { type OtpChannel, type OtpTransaction, OtpTransactionSchema, wireBody } from '../schemas.js'
import type { OtpResendInput, OtpValidateInput } from './registration-otp.js'

/**
 * Document-signing OTP (docs/privy-contract.md §4.2): the signer proves consent with a code, and one code may cover
 * several of that signer's documents. Every call sends an SMS/e-mail or spends an attempt (a valid code
 * signs), so none is ever retried. Errors as for the registration OTP: a wrong or expired code is
 * PrivyUnprocessableEntityError (with `remainingAttempts`), a locked transaction PrivyLockedError, a
 * send too early or too often PrivyRateLimitError (with `retryAfterSeconds`).
 */

export interface DocumentOtpRequestInput {
  /** The signer's `privy_id`. */
  signer_privy_id: string
  /** The documents this code signs, all awaiting this signer. */
  document_tokens: string[]
  otp_channel: OtpChannel
}

export interface DocumentOtpValidationResult {
  transaction_id: string
  status: 'validated'
  /**
   * One entry per document the code covered. docs/privy-contract.md §4.2 does not say whose status this is (the document's
   * or the signer's), so it is passed on as text; ask `documents.status` for the typed one.
   */
  documents: { document_token: string; status: string }[]
}

const DocumentOtpValidationSchema: z.ZodType<DocumentOtpValidationResult> = z.object({
  transaction_id: z.string(),
  status: z.literal('validated'),
  documents: z.array(z.object({ document_token: z.string(), status: z.string() })),
})

const REQUEST: PrivyOperation<OtpTransaction> = {
  name: 'documents.otp.request',
  path: '/web/api/v2/doc-signing/otp/request',
  retry: 'never',
  data: OtpTransactionSchema,
  // The SMS went even when the rest of the answer is garbled: its id still settles the send.
  readableOnMalformed: ['transaction_id'],
}
const VALIDATE: PrivyOperation<DocumentOtpValidationResult> = {
  name: 'documents.otp.validate',
  path: '/web/api/v2/doc-signing/otp/validation',
  retry: 'never',
  data: DocumentOtpValidationSchema,
}
const RESEND: PrivyOperation<OtpTransaction> = {
  name: 'documents.otp.resend',
  path: '/web/api/v2/doc-signing/otp/resend',
  retry: 'never',
  data: OtpTransactionSchema,
  // The SMS went even when the rest of the answer is garbled: its id still settles the send.
  readableOnMalformed: ['transaction_id'],
}

/** Every method accepts `onLateAnswer` (late-answers.ts): a late answer carries the transaction_id. */
export interface DocumentOtpResource {
  request(
    input: DocumentOtpRequestInput,
    options?: SideEffectOptions<OtpTransaction>,
  ): Promise<OtpTransaction>
  /** On success the signer counts as having signed every document of the transaction. */
  validate(
    input: OtpValidateInput,
    options?: SideEffectOptions<DocumentOtpValidationResult>,
  ): Promise<DocumentOtpValidationResult>
  resend(input: OtpResendInput, options?: SideEffectOptions<OtpTransaction>): Promise<OtpTransaction>
}

export function createDocumentOtpResource(request: PrivyRequester, channelId: string): DocumentOtpResource {
  return {
    // docs/privy-contract.md §4.2 names no reference_number here: the body starts with channel_id.
    request: (input, options) =>
      request(
        REQUEST,
        wireBody({ channel_id: channelId }, input, ['signer_privy_id', 'document_tokens', 'otp_channel']),
        lateAnswerOnly(options),
      ),
    // As in docs/privy-contract.md §4.1, these two bodies carry only the transaction, no channel_id.
    validate: (input, options) =>
      request(VALIDATE, wireBody({}, input, ['transaction_id', 'otp_code']), lateAnswerOnly(options)),
    resend: (input, options) =>
      request(RESEND, wireBody({}, input, ['transaction_id']), lateAnswerOnly(options)),
  }
}
