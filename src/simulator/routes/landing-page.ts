import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { SimContext } from '../context.js'
import { alreadySubmittedPage, HTML_HEADERS, landingPage, notFoundPage, thankYouPage } from '../html.js'
import { finishLandingPage } from '../registrations.js'

const params = z.object({ token: z.string() })

/** Privy's hosted KYC page that `registration_url` points to (docs/privy-contract.md §3.1, landing_page mode). */
export const landingPageRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  app.get('/registration/:token', async (request, reply) => {
    const { token } = params.parse(request.params)
    const registration = context.state.registrationByLandingToken(token)
    reply.headers(HTML_HEADERS)
    if (registration === undefined) return reply.code(404).send(notFoundPage())
    if (registration.status !== 'pending')
      return reply.code(200).send(alreadySubmittedPage(registration.status))
    return reply.code(200).send(landingPage(token, registration.email))
  })

  // The form posts application/x-www-form-urlencoded with no fields; its body is read and ignored.
  app.post('/registration/:token/finish', async (request, reply) => {
    const { token } = params.parse(request.params)
    const registration = context.state.registrationByLandingToken(token)
    reply.headers(HTML_HEADERS)
    if (registration === undefined) return reply.code(404).send(notFoundPage())
    if (registration.status !== 'pending')
      return reply.code(409).send(alreadySubmittedPage(registration.status))
    finishLandingPage(context, registration)
    return reply.code(200).send(thankYouPage(registration.email))
  })
}
