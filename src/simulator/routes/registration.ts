import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { SimContext } from '../context.js'
import {
  createRegistration,
  merchantRegistration,
  registerData,
  resendRegistration,
  statusData,
} from '../registrations.js'
import { parseBody, registerSchema, registerStatusSchema, resendSchema } from '../schemas.js'

/**
 * docs/privy-contract.md §3 registration operations. Registered inside the `/web/api/v2` scope, whose hook has already
 * checked token, Timestamp and Signature and replaced the body text with the parsed object.
 * docs/privy-contract.md §4.1 registration OTP is in registration-otp.ts.
 */
export const registrationRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  const publicUrlFor = (request: FastifyRequest) =>
    context.publicUrl ?? `${request.protocol}://${request.host}`

  app.post('/register', async (request, reply) => {
    const input = parseBody(registerSchema, request.body)
    const registration = createRegistration(context, input, publicUrlFor(request))
    return reply.code(201).send({ message: 'Registration created', data: registerData(registration) })
  })

  app.post('/register/status', async (request, reply) => {
    const registration = merchantRegistration(context, parseBody(registerStatusSchema, request.body))
    return reply.code(201).send({ message: 'Registration status', data: statusData(registration) })
  })

  // docs/privy-contract.md §3.4: the answer is the docs/privy-contract.md §3.3 status data, so a client sees the whole registration as it now is.
  app.post('/register/resend', async (request, reply) => {
    const input = parseBody(resendSchema, request.body)
    const registration = merchantRegistration(context, input)
    resendRegistration(context, registration, input)
    return reply.code(201).send({ message: 'Registration resent', data: statusData(registration) })
  })
}
