import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { SimContext } from '../context.js'
import { SimError } from '../errors.js'
import { otpStatus } from '../otp.js'
import type { SimOtpTransaction } from '../state.js'

/**
 * docs/privy-contract.md §7 "read the OTP codes it sent and the messages per phone/email", plus two shortcuts that let a
 * test of another process reach the OTP edge cases (expiry, resend) without waiting for the clock.
 */

const otpQuery = z.object({
  reference_number: z.string().optional(),
  channel_id: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  signer_privy_id: z.string().optional(),
})
const messageQuery = z.object({
  phone: z.string().optional(),
  email: z.string().optional(),
  reference_number: z.string().optional(),
})
const transactionParams = z.object({ transaction_id: z.string() })

export const simOtpRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  /** The registration of the person the code went to: for a signing OTP, the signer's. */
  const recipientOf = (transaction: SimOtpTransaction) =>
    transaction.kind === 'registration'
      ? context.state.registration(transaction.channelId, transaction.referenceNumber)
      : context.state.registrationByPrivyId(transaction.signerPrivyId)

  /** A signing OTP has no reference number of its own; its documents have theirs. */
  const referencesOf = (transaction: SimOtpTransaction): string[] =>
    transaction.kind === 'registration'
      ? [transaction.referenceNumber]
      : transaction.documentTokens.flatMap(
          (token) => context.state.documentByToken(token)?.referenceNumber ?? [],
        )

  const view = (transaction: SimOtpTransaction) => ({
    transaction_id: transaction.transactionId,
    kind: transaction.kind,
    reference_number: transaction.kind === 'registration' ? transaction.referenceNumber : null,
    ...(transaction.kind === 'document_signing'
      ? {
          signer_privy_id: transaction.signerPrivyId,
          document_tokens: transaction.documentTokens,
          document_reference_numbers: referencesOf(transaction),
        }
      : {}),
    channel_id: transaction.channelId,
    otp_channel: transaction.otpChannel,
    code: transaction.code,
    sends: transaction.sends,
    wrong_attempts: transaction.wrongAttempts,
    status: otpStatus(transaction, context.now()),
    expired_at: transaction.expiresAt.toISOString(),
    resend_available_at: transaction.resendAvailableAt.toISOString(),
  })

  const transactionFor = (params: unknown): SimOtpTransaction => {
    const { transaction_id } = transactionParams.parse(params)
    const transaction = context.state.otps.get(transaction_id)
    if (transaction === undefined) throw new SimError(404, [`No OTP transaction ${transaction_id}`])
    return transaction
  }

  /**
   * Oldest first; every filter given must match. `phone`/`email` are the recipient registration's;
   * `reference_number` matches a registration OTP's registration or any document of a signing OTP.
   */
  app.get('/__sim/otps', async (request) => {
    const query = otpQuery.parse(request.query)
    const otps = [...context.state.otps.values()].filter((transaction) => {
      const registration = recipientOf(transaction)
      const signer = transaction.kind === 'document_signing' ? transaction.signerPrivyId : undefined
      return (
        (query.reference_number === undefined ||
          referencesOf(transaction).includes(query.reference_number)) &&
        (query.signer_privy_id === undefined || signer === query.signer_privy_id) &&
        (query.channel_id === undefined || transaction.channelId === query.channel_id) &&
        (query.phone === undefined || registration?.phone === query.phone) &&
        (query.email === undefined || registration?.email === query.email)
      )
    })
    return { otps: otps.map(view) }
  })

  /** The SMS and emails "sent", oldest first; `phone`/`email` match the address it went to. */
  app.get('/__sim/messages', async (request) => {
    const query = messageQuery.parse(request.query)
    const messages = context.state.messages.filter(
      (message) =>
        (query.phone === undefined || (message.channel === 'sms' && message.to === query.phone)) &&
        (query.email === undefined || (message.channel === 'email' && message.to === query.email)) &&
        (query.reference_number === undefined || message.reference_number === query.reference_number),
    )
    return { messages }
  })

  app.post('/__sim/otps/:transaction_id/expire', async (request) => {
    const transaction = transactionFor(request.params)
    transaction.expiresAt = context.now()
    return view(transaction)
  })

  /** Only the 60 s wait is lifted: the limit of sends per transaction still holds. */
  app.post('/__sim/otps/:transaction_id/allow-resend', async (request) => {
    const transaction = transactionFor(request.params)
    transaction.resendAvailableAt = context.now()
    return view(transaction)
  })
}
