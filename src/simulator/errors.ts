import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { HTML_HEADERS, notFoundPage, signingNotFoundPage } from './html.js'

/** One entry of `error.errors` (docs/privy-contract.md §1): a plain text, or the messages of one field. */
export type ErrorItem = string | { field: string; messages: string[] }

export interface ContractErrorBody {
  error: { code: number; errors: ErrorItem[] }
  /** Machine-readable details next to `error` (docs/privy-contract.md §4: `retry_after`, `remaining_attempts`, `expired`). */
  data?: Record<string, unknown>
}

export interface SimErrorExtras {
  data?: Record<string, unknown>
  headers?: Record<string, string>
}

/** The statuses docs/privy-contract.md §1 lists; anything else Fastify produces is folded into one of them. */
const CONTRACT_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 422, 423, 429, 500, 503])

/** A refusal that is part of the contract: thrown anywhere, answered by the error handler. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
    readonly extras: SimErrorExtras = {},
  ) {
    super(
      errors
        .map((item) => (typeof item === 'string' ? item : `${item.field}: ${item.messages.join(', ')}`))
        .join('; '),
    )
    this.name = 'SimError'
  }
}

/** docs/privy-contract.md §1 field errors: one entry per field, every message of that field. */
export function fieldErrors(error: z.ZodError): ErrorItem[] {
  const byField = new Map<string, string[]>()
  const add = (field: string, message: string) => byField.set(field, [...(byField.get(field) ?? []), message])
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key].join('.'), 'is not a field of this operation')
      continue
    }
    add(issue.path.map(String).join('.') || 'body', issue.message)
  }
  return [...byField].map(([field, messages]) => ({ field, messages }))
}

export function errorBody(
  status: number,
  errors: ErrorItem[],
  data?: Record<string, unknown>,
): ContractErrorBody {
  return data === undefined ? { error: { code: status, errors } } : { error: { code: status, errors }, data }
}

export function sendError(
  reply: FastifyReply,
  status: number,
  errors: ErrorItem[],
  extras: SimErrorExtras = {},
): FastifyReply {
  if (extras.headers !== undefined) reply.headers(extras.headers)
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(status, errors, extras.data))
}

/**
 * Fastify's own errors (e.g. a body over the limit, 413) carry statuses the contract does not list;
 * a client only has to understand the listed ones, so the simulator never answers anything else.
 */
function contractStatus(status: number): number {
  if (CONTRACT_STATUSES.has(status)) return status
  return status >= 400 && status < 500 ? 400 : 500
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SimError, request, reply) => {
    if (error instanceof SimError) return sendError(reply, error.status, error.errors, error.extras)
    // Path and query parameters of the /__sim surface are parsed with zod inside handlers.
    if (error instanceof z.ZodError) return sendError(reply, 400, fieldErrors(error))
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: error }, 'simulator failure')
      return sendError(reply, contractStatus(status), ['Internal simulator error'])
    }
    return sendError(reply, contractStatus(status), [error.message])
  })

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/registration/')) {
      return reply.code(404).headers(HTML_HEADERS).send(notFoundPage())
    }
    if (request.url.startsWith('/sign/')) {
      return reply.code(404).headers(HTML_HEADERS).send(signingNotFoundPage())
    }
    return sendError(reply, 404, [`No operation ${request.method} ${request.url.split('?')[0]}`])
  })
}
