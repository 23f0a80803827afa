import { z } from 'zod'
import { parseErrorBody, parseRetryAfter } from './error-body.js'
import { apiErrorFor, type PrivyErrorContext, PrivyResponseValidationError } from './errors.js'
import { type HttpResponse, headerValue } from './transport.js'

/** docs/privy-contract.md §1: success is exactly HTTP 201. Kept in one place in case a real account differs. */
export const SUCCESS_STATUS = 201

// `message` is not used by any caller, so its absence is tolerated; `data` is what matters.
const Envelope = z.object({ message: z.string().optional(), data: z.unknown() })

/** Turns one HTTP response into the operation's parsed `data`, or throws the matching PrivyError. */
export function interpretResponse<T>(
  response: HttpResponse,
  schema: z.ZodType<T>,
  context: PrivyErrorContext,
  now: Date,
  readableOnMalformed: readonly string[] = [],
): T {
  const { status } = response
  if (status === SUCCESS_STATUS) return parseSuccess(response, schema, context, readableOnMalformed)
  if (status >= 200 && status < 300) {
    throw new PrivyResponseValidationError('unexpected success status', status, [], context)
  }
  const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'), now)
  // An unreadable error body (cut off, too large, not JSON) still yields an error typed by status.
  throw apiErrorFor(status, parseErrorBody(status, response.text, retryAfter), context)
}

function parseSuccess<T>(
  response: HttpResponse,
  schema: z.ZodType<T>,
  context: PrivyErrorContext,
  readableOnMalformed: readonly string[],
): T {
  if (response.bodyError !== undefined) throw response.bodyError
  const { status, text } = response
  let json: unknown
  try {
    json = JSON.parse(text ?? '')
  } catch {
    // The parser's message quotes the body (which may hold a token), so it is not kept.
    throw new PrivyResponseValidationError('body is not JSON', status, [], context)
  }
  const envelope = Envelope.safeParse(json)
  if (!envelope.success || envelope.data.data === undefined) {
    throw new PrivyResponseValidationError('body is not {message, data}', status, [], context)
  }
  const data = schema.safeParse(envelope.data.data)
  if (!data.success) {
    // Paths and zod's messages only: issue messages name the expected type, never the received value.
    const issues = data.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }))
    const readable = readableMembers(envelope.data.data, readableOnMalformed)
    throw new PrivyResponseValidationError(
      'data does not match the contract',
      status,
      issues,
      context,
      readable,
    )
  }
  return data.data
}

/** An identifier looks like one: a short string of visible characters, no spaces or controls. */
const IDENTIFIER = /^[\x21-\x7e]{1,128}$/

/** The named members of a malformed `data` that still read as identifiers. */
function readableMembers(data: unknown, names: readonly string[]): Record<string, string> {
  const readable: Record<string, string> = {}
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return readable
  for (const name of names) {
    const value = (data as Record<string, unknown>)[name]
    if (typeof value === 'string' && IDENTIFIER.test(value)) readable[name] = value
  }
  return readable
}
