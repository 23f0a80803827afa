import { z } from 'zod'
import type { SideEffectOptions } from '../late-answers.js'
import { lateAnswerOnly, type PrivyOperation, type PrivyRequester } from '../request.js'
import { type OtpChannel, type OtpTransaction, OtpTransactionSchema, wireBody } from '../schemas.js'

/**
 * Registration OTP (docs/privy-contract.md §4.1), only while the registration is `waiting_otp`. Every call sends an
 * SMS/e-mail or spends an attempt, so none is ever retried. Wrong or expired codes come back as
 * PrivyUnprocessableEntityError (with `remainingAttempts`), a locked transaction as PrivyLockedError,
 * a resend too early or too often as PrivyRateLimitError (with `retryAfterSeconds`).
 */

export interface RegistrationOtpRequestInput {
  reference_number: string
  register_token: string
  otp_channel: OtpChannel
}

export interface OtpValidateInput {
  transaction_id: string
  otp_code: string
}

export interface OtpValidationResult {
  transaction_id: string
  status: 'validated'
}

export interface OtpResendInput {
  transaction_id: string
}

export const OtpValidationSchema: z.ZodType<OtpValidationResult> = z.object({
  transaction_id: z.string(),
  status: z.literal('validated'),
})

const REQUEST: PrivyOperation<OtpTransaction> = {
  name: 'registrations.otp.request',
  path: '/web/api/v2/register/otp',
  retry: 'never',
  data: OtpTransactionSchema,
  // The SMS went even when the rest of the answer is garbled: its id still settles the send.
  readableOnMalformed: ['transaction_id'],
}
const VALIDATE: PrivyOperation<OtpValidationResult> = {
  name: 'registrations.otp.validate',
  path: '/web/api/v2/register/otp-validation',
  retry: 'never',
  data: OtpValidationSchema,
}
const RESEND: PrivyOperation<OtpTransaction> = {
  name: 'registrations.otp.resend',
  path: '/web/api/v2/register/otp-resend',
  retry: 'never',
  data: OtpTransactionSchema,
  // The SMS went even when the rest of the answer is garbled: its id still settles the send.
  readableOnMalformed: ['transaction_id'],
}

/** Every method accepts `onLateAnswer` (late-answers.ts): a late answer carries the transaction_id. */
export interface RegistrationOtpResource {
  request(
    input: RegistrationOtpRequestInput,
    options?: SideEffectOptions<OtpTransaction>,
  ): Promise<OtpTransaction>
  /** On success the registration moves to `waiting_verification`. */
  validate(
    input: OtpValidateInput,
    options?: SideEffectOptions<OtpValidationResult>,
  ): Promise<OtpValidationResult>
  resend(input: OtpResendInput, options?: SideEffectOptions<OtpTransaction>): Promise<OtpTransaction>
}

export function createRegistrationOtpResource(
  request: PrivyRequester,
  channelId: string,
): RegistrationOtpResource {
  return {
    request: (input, options) =>
      request(
        REQUEST,
        wireBody({ reference_number: input.reference_number, channel_id: channelId }, input, [
          'register_token',
          'otp_channel',
        ]),
        lateAnswerOnly(options),
      ),
    // docs/privy-contract.md §4.1: these two bodies carry only the transaction, no channel_id.
    validate: (input, options) =>
      request(VALIDATE, wireBody({}, input, ['transaction_id', 'otp_code']), lateAnswerOnly(options)),
    resend: (input, options) =>
      request(RESEND, wireBody({}, input, ['transaction_id']), lateAnswerOnly(options)),
  }
}
