import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { SimContext } from '../context.js'
import { SimError } from '../errors.js'
import { createRegistration, registerData, statusData } from '../registrations.js'
import { parseBody, registerSchema, registerStatusSchema } from '../schemas.js'

/**
 * §3 registration operations. Registered inside the `/web/api/v2` scope, whose hook has already
 * checked token, Timestamp and Signature and replaced the body text with the parsed object.
 * §3.4 resend and §4.1 registration OTP belong next to these.
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
    const input = parseBody(registerStatusSchema, request.body)
    const registration = context.state.registration(input.channel_id, input.reference_number)
    // One answer for an unknown reference and a wrong token, so the token cannot be probed.
    if (registration === undefined || registration.registerToken !== input.register_token) {
      throw new SimError(404, ['Registration not found'])
    }
    return reply.code(201).send({ message: 'Registration status', data: statusData(registration) })
  })
}
