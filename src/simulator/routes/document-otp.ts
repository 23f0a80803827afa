import type { FastifyPluginAsync } from 'fastify'
import type { SimContext } from '../context.js'
import type { DocumentProcessor } from '../document-flow.js'
import { requestSigningOtp, resendSigningOtp, validateSigningOtp } from '../document-otp.js'
import { signingOtpSchema } from '../document-schemas.js'
import { otpData } from '../otp.js'
import { otpResendSchema, otpValidationSchema, parseBody } from '../schemas.js'

/** docs/privy-contract.md §4.2 document-signing OTP, inside the signed `/web/api/v2` scope. */
export const documentOtpRoutes: FastifyPluginAsync<{
  context: SimContext
  processor: DocumentProcessor
}> = async (app, { context, processor }) => {
  app.post('/doc-signing/otp/request', async (request, reply) => {
    const transaction = requestSigningOtp(context, parseBody(signingOtpSchema, request.body))
    return reply.code(201).send({ message: 'OTP sent', data: otpData(transaction) })
  })

  // `status` per document is the document's status after this signature (and, with no processing
  // delay, after the processing it started): the contract does not say which status it means.
  app.post('/doc-signing/otp/validation', async (request, reply) => {
    const input = parseBody(otpValidationSchema, request.body)
    const documents = await validateSigningOtp(context, processor, input.transaction_id, input.otp_code)
    return reply.code(201).send({
      message: 'OTP validated',
      data: {
        transaction_id: input.transaction_id,
        status: 'validated',
        documents: documents.map((document) => ({
          document_token: document.documentToken,
          status: document.status,
        })),
      },
    })
  })

  app.post('/doc-signing/otp/resend', async (request, reply) => {
    const transaction = resendSigningOtp(context, parseBody(otpResendSchema, request.body).transaction_id)
    return reply.code(201).send({ message: 'OTP resent', data: otpData(transaction) })
  })
}
