import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import {
  CreateRegistrationBodySchema,
  GetRegistrationQuerySchema,
  ListRegistrationsQuerySchema,
  RegistrationIdParamsSchema,
  RegistrationListSchema,
  RegistrationSchema,
} from './registration.schemas.js'
import type { RegistrationService } from './registration.service.js'

const tags = ['Registrations']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

export const registrationRoutes: FastifyPluginAsyncZod<{ service: RegistrationService }> = async (
  app,
  { service },
) => {
  // Before parsing and validation: a stranger learns nothing about the body schema.
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/registrations',
    {
      schema: {
        tags,
        security,
        summary: 'Register a user with Privy',
        description:
          'Creates a registration and submits it to Privy. With `landing_page` the user finishes KYC on ' +
          "Privy's page at `registration_url`; follow the status with GET.",
        body: CreateRegistrationBodySchema,
        response: { 201: RegistrationSchema, ...problemResponses(400, 401, 413, 415, 422, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const registration = await service.create(principalOf(request), request.body)
      return reply.code(201).header('location', `/v1/registrations/${registration.id}`).send(registration)
    },
  )

  app.get(
    '/v1/registrations/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get a registration',
        description:
          'Answers the stored registration, refreshed from Privy when it is older than the refresh ' +
          'interval and not settled, or always with `refresh=true`.',
        params: RegistrationIdParamsSchema,
        querystring: GetRegistrationQuerySchema,
        response: { 200: RegistrationSchema, ...problemResponses(400, 401, 404, 502, 503, 504) },
      },
    },
    async (request) =>
      service.get(principalOf(request), request.params.id, { refresh: request.query.refresh }),
  )

  app.get(
    '/v1/registrations',
    {
      schema: {
        tags,
        security,
        summary: 'List your registrations',
        description: 'Newest first. Users see their own; operators see all.',
        querystring: ListRegistrationsQuerySchema,
        response: { 200: RegistrationListSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => service.list(principalOf(request), request.query),
  )
}
