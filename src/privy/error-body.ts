import { z } from 'zod'
import type { PrivyErrorDetails, PrivyFieldError } from './errors.js'

/**
 * Lenient reading of a Privy error body (docs/privy-contract.md §1):
 * `{"error": {"code": 422, "errors": ["text", {"field": "nik", "messages": ["..."]}]}, "data"?: {...}}`.
 * Anything unreadable is skipped: a typed error by HTTP status is always produced.
 */

const Count = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().min(0))

const FieldEntry = z.object({
  field: z.string(),
  messages: z.array(z.string()).optional(),
  message: z.string().optional(),
})

const ErrorObject = z.object({
  code: z.union([z.number(), z.string()]).optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  errors: z.array(z.unknown()).optional().catch(undefined),
})

const ErrorBody = z.object({
  // Some upstreams answer `{"error": "text"}` or a top-level `message`; keep the text either way.
  error: z
    .union([z.string().transform((message) => ErrorObject.parse({ message })), ErrorObject])
    .optional()
    .catch(undefined),
  message: z.string().optional().catch(undefined),
  data: z
    .object({
      retry_after: Count.optional().catch(undefined),
      remaining_attempts: Count.optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
})

export function parseErrorBody(
  status: number,
  text: string | undefined,
  retryAfterHeader: number | undefined,
): PrivyErrorDetails {
  const parsed = ErrorBody.safeParse(parseJson(text))
  const body = parsed.success ? parsed.data : {}
  const messages: string[] = []
  const fieldErrors: PrivyFieldError[] = []
  if (body.error?.message !== undefined) messages.push(body.error.message)
  else if (body.message !== undefined) messages.push(body.message)
  for (const entry of body.error?.errors ?? []) {
    if (typeof entry === 'string') {
      messages.push(entry)
      continue
    }
    const field = FieldEntry.safeParse(entry)
    if (!field.success) continue
    const fieldMessages =
      field.data.messages ?? (field.data.message === undefined ? [] : [field.data.message])
    fieldErrors.push({ field: field.data.field, messages: fieldMessages })
  }
  return {
    code: body.error?.code ?? status,
    messages,
    fieldErrors,
    retryAfterSeconds: body.data?.retry_after ?? retryAfterHeader,
    remainingAttempts: body.data?.remaining_attempts,
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in whole seconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000))
}
