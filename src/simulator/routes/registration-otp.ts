import type { FastifyPluginAsync } from 'fastify'
import type { SimContext } from '../context.js'
import { otpData, requestRegistrationOtp, resendRegistrationOtp, validateRegistrationOtp } from '../otp.js'
import { merchantRegistration } from '../registrations.js'
import { otpResendSchema, otpValidationSchema, parseBody, registerOtpSchema } from '../schemas.js'

/** docs/privy-contract.md §4.1 registration OTP, inside the signed `/web/api/v2` scope like the other docs/privy-contract.md §3 operations. */
export const registrationOtpRoutes: FastifyPluginAsync<{ context: SimContext }> = async (
  app,
  { context },
) => {
  app.post('/register/otp', async (request, reply) => {
    const input = parseBody(registerOtpSchema, request.body)
    const registration = merchantRegistration(context, input)
    const transaction = requestRegistrationOtp(context, registration, input.otp_channel)
    return reply.code(201).send({ message: 'OTP sent', data: otpData(transaction) })
  })

  app.post('/register/otp-validation', async (request, reply) => {
    const input = parseBody(otpValidationSchema, request.body)
    validateRegistrationOtp(context, input.transaction_id, input.otp_code)
    return reply.code(201).send({
      message: 'OTP validated',
      data: { transaction_id: input.transaction_id, status: 'validated' },
    })
  })

  app.post('/register/otp-resend', async (request, reply) => {
    const input = parseBody(otpResendSchema, request.body)
    const transaction = resendRegistrationOtp(context, input.transaction_id)
    return reply.code(201).send({ message: 'OTP resent', data: otpData(transaction) })
  })
}
