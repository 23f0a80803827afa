import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import {
  OtpIdParamsSchema,
  OtpTransactionSchema,
  RequestOtpBodySchema,
  ValidateOtpBodySchema,
} from './otp.schemas.js'
import type { OtpService } from './otp.service.js'

const tags = ['OTP']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

export const otpRoutes: FastifyPluginAsyncZod<{ service: OtpService }> = async (app, { service }) => {
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/otp',
    {
      schema: {
        tags,
        security,
        summary: 'Send an OTP',
        description:
          'Asks Privy to send a code by SMS or email: `registration` for a registration that is ' +
          '`waiting_otp`, `document_signing` for documents the caller signs. The answer says when the ' +
          'code expires, when a resend is allowed and how many sends and attempts are left.',
        body: RequestOtpBodySchema,
        response: { 201: OtpTransactionSchema, ...problemResponses(400, 401, 404, 409, 429, 502, 503, 504) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.request(principalOf(request), request.body)),
  )

  app.post(
    '/v1/otp/:id/validate',
    {
      schema: {
        tags,
        security,
        summary: 'Validate an OTP code',
        description:
          'A wrong code answers 422 `OTP_INVALID` with `attempts_left`; after the last wrong code the ' +
          'transaction is locked: 423 `OTP_LOCKED`. An expired code answers **410** `OTP_EXPIRED` ' +
          '(resend to get a new one). On success a registration moves to `waiting_verification`.',
        params: OtpIdParamsSchema,
        body: ValidateOtpBodySchema,
        response: {
          200: OtpTransactionSchema,
          ...problemResponses(400, 401, 404, 409, 410, 422, 423, 502, 503, 504),
        },
      },
    },
    async (request) => service.validate(principalOf(request), request.params.id, request.body.otp_code),
  )

  app.post(
    '/v1/otp/:id/resend',
    {
      schema: {
        tags,
        security,
        summary: 'Send the code again',
        description:
          'Allowed from `resend_available_at` on, while `requests_left` > 0. Too early answers 429 ' +
          '`OTP_RESEND_TOO_EARLY` with `Retry-After`; no sends left answers 429 `OTP_SEND_LIMIT_REACHED`.',
        params: OtpIdParamsSchema,
        response: {
          200: OtpTransactionSchema,
          ...problemResponses(400, 401, 404, 409, 423, 429, 502, 503, 504),
        },
      },
    },
    async (request) => service.resend(principalOf(request), request.params.id),
  )
}
