import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { PrivyError } from '../privy/index.js'
import { AppError, type FieldError } from './app-error.js'
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-errors.js'
import { ERROR_CODES, type ErrorCode } from './error-codes.js'
import { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.js'
import { fromPrivyError } from './upstream-failure/index.js'

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_PROTO_VIOLATION: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
}

/** Installs the one error handler and the not-found handler: every failure is problem+json. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error)
    if (appError.status >= 500) {
      request.log.error({ err: error, code: appError.code }, 'request failed')
    } else {
      request.log.info({ code: appError.code, status: appError.status }, 'request refused')
    }
    return sendProblem(request, reply, appError)
  })
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, noSuchRoute(request)))
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a malformed
 * percent-encoding, a path parameter over maxParamLength). Fastify's own answer is plain JSON that
 * quotes the URL; this one is a problem like every other, quoting nothing.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError =
    error.code === 'FST_ERR_BAD_URL'
      ? new AppError('VALIDATION_FAILED', { detail: 'The URL is not valid' })
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError('URI_TOO_LONG', { detail: 'A path segment of the URL is too long' })
        : new AppError('INTERNAL', { detail: 'Internal error', cause: error })
  request.log.info({ code: appError.code, status: appError.status, reason: error.code }, 'request refused')
  return sendProblem(request, reply, appError)
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const { options } = error
  const problem: Problem = {
    ...options.extensions,
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    request_id: request.id,
    ...(options.errors && options.errors.length > 0 ? { errors: options.errors } : {}),
    ...(options.upstream ? { upstream: options.upstream } : {}),
  }
  if (options.retryAfterSeconds !== undefined) reply.header('retry-after', String(options.retryAfterSeconds))
  if (error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer')
  // Bypass the route's response schema: a problem is its own contract.
  return reply
    .code(error.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(problem)
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (error instanceof PrivyError) return fromPrivyError(error)
  if (isDatabaseUnavailable(error)) {
    return new AppError('SERVICE_UNAVAILABLE', {
      detail: 'The database is not reachable; retry shortly',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause: error,
    })
  }
  if (!(error instanceof Error)) return new AppError('INTERNAL', { detail: 'Unexpected error' })
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body'
    const errors: FieldError[] = error.validation.flatMap((issue) => {
      // A member the schema does not allow is named itself, not the object around it, so the app
      // sees which field to drop (a landing-page registration carrying `nik`, say).
      const keys = issue.keyword === 'unrecognized_keys' ? issue.params.keys : undefined
      if (Array.isArray(keys) && keys.length > 0) {
        return keys.map((key) => ({
          path: fieldPath(context, `${issue.instancePath.replace(/\/$/, '')}/${String(key)}`),
          message: 'is not a field of this request',
        }))
      }
      return [{ path: fieldPath(context, issue.instancePath), message: issue.message ?? 'is not valid' }]
    })
    return new AppError('VALIDATION_FAILED', { detail: 'Some fields are not valid', errors })
  }
  if (isResponseSerializationError(error)) {
    return new AppError('INTERNAL', { detail: 'Internal error', cause: error })
  }
  const fastifyError = error as Partial<FastifyError>
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined
  if (mapped) return new AppError(mapped, { detail: publicDetail(mapped, error) })
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('MALFORMED_BODY', { detail: 'The request body is not valid JSON' })
  }
  if (fastifyError.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE')
  if (fastifyError.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE')
  if (fastifyError.statusCode === 503 && fastifyError.code === 'FST_ERR_HANDLER_TIMEOUT') {
    return new AppError('REQUEST_TIMEOUT', { retryAfterSeconds: 1 })
  }
  return new AppError('INTERNAL', { detail: 'Internal error', cause: error })
}

function fieldPath(context: string, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.')
  if (context === 'body') return path || '(body)'
  const location = context === 'querystring' ? 'query' : context
  return path ? `${location}.${path}` : location
}

function publicDetail(code: ErrorCode, error: Error): string {
  if (code === 'PAYLOAD_TOO_LARGE') return 'The request body or one of its parts is larger than allowed'
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return 'This content type is not accepted here'
  return error.message.length < 200 ? error.message : ERROR_CODES[code].title
}

/** The answer for a route that does not exist, and for an operator route to anyone else. */
export function noSuchRoute(request: FastifyRequest): AppError {
  return new AppError('ROUTE_NOT_FOUND', {
    detail: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
  })
}
