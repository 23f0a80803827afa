import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { principalOf } from '../../plugins/auth.js'
import { problemResponses } from '../../plugins/openapi-responses.js'
import type { IdempotencyService } from '../idempotency/index.js'
import { IdempotencyKeyHeaderSchema } from '../idempotency/index.js'
import {
  OtpIdParamsSchema,
  type OtpRequestAnswer,
  OtpRequestAnswerSchema,
  OtpTransactionSchema,
  RequestOtpBodySchema,
  ValidateOtpBodySchema,
} from './otp.schemas.js'
import type { OtpService } from './otp.service.js'

const tags = ['OTP']
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }]

/** 201 for a new code, 200 for the live one answered again: nothing was created then. */
const answered = (body: OtpRequestAnswer) => ({ status: body.reused ? 200 : 201, body })

export const otpRoutes: FastifyPluginAsyncZod<{
  service: OtpService
  idempotency: IdempotencyService
}> = async (app, { service, idempotency }) => {
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/v1/otp',
    {
      schema: {
        tags,
        security,
        operationId: 'otp.request',
        summary: 'Send an OTP',
        description:
          'Asks Privy to send a code by SMS or email: `registration` for a registration that is ' +
          '`waiting_otp`, `document_signing` for documents the caller signs. The answer says when the ' +
          'code expires, when a resend is allowed and how many sends and attempts are left. Abuse limits ' +
          "(per user, per phone, per number block, per email address, the merchant's daily budget, and per " +
          'client address when configured) answer 429 `OTP_RATE_LIMITED` or `OTP_BUDGET_EXHAUSTED` with ' +
          '`Retry-After` and the `limit` reached; nothing is sent then. One live OTP per registration (or ' +
          'per documents of a signer) and channel: while its code is valid, another request answers **200** ' +
          'with that transaction and `reused: true`, and sends nothing; once its code has expired but it ' +
          'can still be resent, 409 `OTP_ALREADY_SENT` with its `otp_id`. Another channel (SMS, then ' +
          'email) is a new OTP, counted against the limits of where it goes. A registration that is not ' +
          '`waiting_otp` answers 409 `OTP_NOT_NEEDED`; documents that cannot be signed now answer 409 ' +
          '`DOCUMENT_NOT_SIGNABLE`, `DOCUMENT_ALREADY_SIGNED` or `NOT_YOUR_TURN` (serial signing, an ' +
          'earlier signer has not signed), before any SMS; Privy refusing to send answers 409 ' +
          "`OTP_SEND_REFUSED`. When Privy's answer is lost (504, " +
          'or 502 for an unreadable one) the send may still have gone, and no second SMS is sent for it: ' +
          'a retry, keyed or not, answers 409 `OPERATION_PENDING` with `otp_id`, `Retry-After`, ' +
          '`retry_at` and `next_action`: `validate_otp` (Privy may still answer: let the person type the ' +
          'code and validate it once this settles) or `wait` (the answer is lost for good: a new OTP can ' +
          'be requested from `retry_at`, when a code it may have sent has expired).',
        headers: IdempotencyKeyHeaderSchema,
        body: RequestOtpBodySchema,
        response: {
          200: OtpRequestAnswerSchema,
          201: OtpRequestAnswerSchema,
          ...problemResponses(400, 401, 404, 409, 413, 415, 422, 429, 502, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      return idempotency.handle(request, reply, {
        content: [request.body],
        claimsInTransaction: true,
        execute: async (claim) =>
          answered(await service.request(principal, request.body, { ip: request.ip }, claim)),
        resume: async (id, claim) =>
          answered(await service.resumeRequest(principal, id, request.body, { ip: request.ip }, claim)),
      })
    },
  )

  app.post(
    '/v1/otp/:id/validate',
    {
      schema: {
        tags,
        security,
        operationId: 'otp.validate',
        summary: 'Validate an OTP code',
        description:
          'A wrong code answers 422 `OTP_INVALID` with `attempts_left`; after the last wrong code the ' +
          'transaction is locked: 423 `OTP_LOCKED`. An expired code answers **410** `OTP_EXPIRED` ' +
          '(resend to get a new one). On success a registration moves to `waiting_verification`. While ' +
          'checks already in flight hold every attempt left, another answers 429 `OTP_RATE_LIMITED`. ' +
          "Before Privy's answer to the send (or to the last resend) is in, 409 `OPERATION_PENDING` with " +
          '`next_action` and `Retry-After`, as for `POST /v1/otp`.',
        headers: IdempotencyKeyHeaderSchema,
        params: OtpIdParamsSchema,
        body: ValidateOtpBodySchema,
        response: {
          200: OtpTransactionSchema,
          ...problemResponses(400, 401, 404, 409, 410, 413, 415, 422, 423, 429, 502, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      const { otp_code: code } = request.body
      return idempotency.handle(request, reply, {
        content: [id, code],
        execute: async (claim) => ({ status: 200, body: await service.validate(principal, id, code, claim) }),
        resume: async (_, claim) => ({
          status: 200,
          body: await service.resumeValidate(principal, id, code, claim),
        }),
      })
    },
  )

  app.post(
    '/v1/otp/:id/resend',
    {
      schema: {
        tags,
        security,
        operationId: 'otp.resend',
        summary: 'Send the code again',
        description:
          'Allowed from `resend_available_at` on, while `requests_left` > 0. Too early answers 429 ' +
          '`OTP_RESEND_TOO_EARLY` with `Retry-After`; no sends left answers 429 `OTP_SEND_LIMIT_REACHED`. ' +
          'A resend counts against the same abuse limits as a new OTP (429 `OTP_RATE_LIMITED` or ' +
          '`OTP_BUDGET_EXHAUSTED`). While a resend is under way, or its answer is awaited, another answers ' +
          '409 `OPERATION_PENDING` (`next_action: validate_otp`); a resend whose answer was lost counts ' +
          'as sent. A validated OTP answers 409 `OTP_ALREADY_VALIDATED`; Privy refusing to send, 409 ' +
          '`OTP_SEND_REFUSED`.',
        headers: IdempotencyKeyHeaderSchema,
        params: OtpIdParamsSchema,
        response: {
          200: OtpTransactionSchema,
          ...problemResponses(400, 401, 404, 409, 422, 423, 429, 502, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { id } = request.params
      return idempotency.handle(request, reply, {
        content: [id],
        execute: async (claim) => ({
          status: 200,
          body: await service.resend(principal, id, { ip: request.ip }, claim),
        }),
        resume: async () => ({ status: 200, body: await service.resumeResend(principal, id) }),
      })
    },
  )
}
