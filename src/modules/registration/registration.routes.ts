import multipart from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { compiledSuccessSerializerCompiler } from '../../http/compiled-serializer.js'
import { refusedUploadHook } from '../../http/multipart.js'
import { operatorsOnly, principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import { OPERATOR_TAGS } from '../../plugins/swagger.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { IdempotencyKeyHeaderSchema } from '../idempotency/index.js'
import type { ImageLimits } from './registration.identity.js'
import {
  multipartToBody,
  registrationJsonBodyLimit,
  registrationMultipartLimits,
  registrationUploadBytes,
} from './registration.multipart.js'
import {
  CreateRegistrationBodySchema,
  FullRegistrationMultipartSchema,
  GetRegistrationQuerySchema,
  ListRegistrationsQuerySchema,
  RegistrationIdParamsSchema,
  RegistrationListSchema,
  RegistrationLookupBodySchema,
  RegistrationSchema,
  type RegistrationView,
  ResendRegistrationBodySchema,
  ResendRegistrationMultipartSchema,
} from './registration.schemas.js'
import type { RegistrationService } from './registration.service.js'

const tags = ['Registrations']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

export const registrationRoutes: FastifyPluginAsyncZod<{
  service: RegistrationService
  idempotency: IdempotencyService
  imageLimits: ImageLimits
}> = async (app, { service, idempotency, imageLimits }) => {
  // Multipart only in this scope, with limits sized for two identity images.
  await app.register(multipart, {
    limits: registrationMultipartLimits({ ...imageLimits, maxFieldBytes: 1024 }),
  })
  // A refusal mid-upload: an acceptable-sized body is drained so the client reads the answer; a larger
  // one closes the connection, so the client stops sending and nothing waits on it.
  app.addHook('onError', refusedUploadHook(registrationUploadBytes(imageLimits)))
  const bodyLimit = registrationJsonBodyLimit(imageLimits)
  const acceptMultipart = async (request: FastifyRequest) => multipartToBody(request, imageLimits)

  // Before parsing and validation: a stranger learns nothing about the body schema.
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/registrations',
    {
      schema: {
        tags,
        security,
        operationId: 'registrations.create',
        summary: 'Register a user with Privy',
        description:
          'Creates a registration and submits it to Privy. With `landing_page` the user finishes KYC on ' +
          "Privy's page at `registration_url`. With `privy_ra` / `merchant_ra` send the seven fields, as " +
          'JSON with base64 images or as multipart/form-data with `ktp` and `selfie` files. Without ' +
          '`phone_verified` the status is `waiting_otp` (send an OTP); with it, `waiting_verification`. ' +
          'A NIK whose birth date contradicts `dob` is refused (422) before anything reaches Privy.',
        headers: IdempotencyKeyHeaderSchema,
        body: CreateRegistrationBodySchema,
        multipartBody: FullRegistrationMultipartSchema,
        response: {
          201: RegistrationSchema,
          ...problemResponses(400, 401, 403, 409, 413, 415, 422, 502, 503, 504),
        },
      },
      bodyLimit,
      preValidation: acceptMultipart,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const created = (registration: RegistrationView) => ({
        status: 201,
        body: registration,
        headers: { location: `/v1/registrations/${registration.id}` },
      })
      return idempotency.handle(request, reply, {
        content: [request.body],
        claimsInTransaction: true,
        execute: async (claim) => created(await service.create(principal, request.body, claim)),
        resume: async (id, claim) => created(await service.resumeCreate(principal, id, request.body, claim)),
      })
    },
  )

  app.post(
    '/v1/registrations/:id/resend',
    {
      schema: {
        tags,
        security,
        operationId: 'registrations.resend',
        summary: 'Resend a soft-rejected registration',
        description:
          'Only after a soft reject (`can_resend: true`, `next_action: resend`), with only the corrected ' +
          'fields (JSON or multipart). A hard reject, or a registration that is not rejected, answers 409 ' +
          '`REGISTRATION_NOT_RESENDABLE`. On success the status is `waiting_verification` again.',
        headers: IdempotencyKeyHeaderSchema,
        params: RegistrationIdParamsSchema,
        body: ResendRegistrationBodySchema,
        multipartBody: ResendRegistrationMultipartSchema,
        response: {
          200: RegistrationSchema,
          ...problemResponses(400, 401, 404, 409, 413, 415, 422, 502, 503, 504),
        },
      },
      bodyLimit,
      preValidation: acceptMultipart,
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      const ok = (registration: RegistrationView) => ({ status: 200, body: registration })
      return idempotency.handle(request, reply, {
        content: [id, request.body],
        execute: async (claim) => ok(await service.resend(principal, id, request.body, claim)),
        resume: async (_, claim) => ok(await service.resumeResend(principal, id, request.body, claim)),
      })
    },
  )

  app.get(
    '/v1/registrations/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'registrations.get',
        summary: 'Get a registration',
        description:
          'Answers the stored registration, refreshed from Privy when it is older than the refresh ' +
          'interval and not settled, or always with `refresh=true`.',
        params: RegistrationIdParamsSchema,
        querystring: GetRegistrationQuerySchema,
        response: { 200: RegistrationSchema, ...problemResponses(400, 401, 404, 502, 503, 504) },
      },
      // The status read is the hot path: its 200 is written by the compiled serializer.
      serializerCompiler: compiledSuccessSerializerCompiler,
    },
    async (request) =>
      service.get(principalOf(request), request.params.id, { refresh: request.query.refresh }),
  )

  app.post(
    '/v1/registrations/lookup',
    {
      schema: {
        tags: [OPERATOR_TAGS.operators],
        security: [{ apiKey: [] }],
        operationId: 'registrations.lookup',
        summary: "Find a person's registrations by NIK (operators)",
        description:
          'Operators only (a user token gets 404). The NIK travels in the body, never in a URL, and is ' +
          'matched through its keyed HMAC: the gateway keeps no readable NIK to search. Up to 100, newest first.',
        body: RegistrationLookupBodySchema,
        response: {
          200: z.object({ data: z.array(RegistrationSchema) }),
          ...problemResponses(400, 401, 404, 413, 415),
        },
      },
      onRequest: operatorsOnly,
    },
    async (request) => service.lookupByNik(principalOf(request), request.body.nik),
  )

  app.get(
    '/v1/registrations',
    {
      schema: {
        tags,
        security,
        operationId: 'registrations.list',
        summary: 'List your registrations',
        description:
          'Newest first. Users see their own; operators see all, each with its `owner`, and may filter ' +
          'by `owner`. Filters combine (AND); the cursor of a filtered list pages that same list. ' +
          '`owner` from a user is refused (400).',
        querystring: ListRegistrationsQuerySchema,
        response: { 200: RegistrationListSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => service.list(principalOf(request), request.query),
  )
}
