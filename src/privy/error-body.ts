import { z } from 'zod'
import type { PrivyErrorDetails, PrivyFieldError } from './errors.js'

/**
 * Lenient reading of a Privy error body (docs/privy-contract.md §1, "What we accept"). The contract's shape is
 * `{"error": {"code": 422, "errors": ["text", {"field": "nik", "messages": ["..."]}]}, "data"?: {...}}`,
 * but a reasonable Privy (or a proxy in front of it) may say the same thing differently, and every
 * variant below is read into the same PrivyErrorDetails:
 *
 * - the details (`remaining_attempts`, `retry_after`, `expired`) in `data`, in the `error` object,
 *   inside an `errors[]` entry, or at the top level;
 * - `errors` inside `error` or at the top level, as a list of strings and objects, as a map
 *   `{field: message | messages[]}`, or as a single string; an entry's field in `field`, `attribute`
 *   or `param`, its text in `messages`, `message` or `detail`;
 * - `error` as an object or a plain string; a top-level `message` or `detail`;
 * - `code` as a number, a numeric string (read as a number) or another short string;
 * - counts as numbers or numeric strings; flags as booleans, `"true"`/`"1"` or 1;
 * - extra members anywhere (ignored) and missing ones (left undefined).
 *
 * A body that is not a JSON object naming an error (an HTML page from a proxy, an empty or cut-off
 * body) is marked `bodyUnreadable`: the error is still typed by its HTTP status.
 */

/** Entries looked at in one `errors` list: a real answer has a handful, a hostile one must not cost. */
const MAX_ENTRIES = 100

const Count = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().min(0))

const Code = z.union([
  z.number().int(),
  z
    .string()
    .trim()
    .regex(/^\d{3}$/)
    .transform(Number),
  z.string().trim().min(1).max(64),
])

const ExpiredFlag = z.union([
  z.boolean(),
  z.literal(1).transform(() => true),
  z.literal(0).transform(() => false),
  z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1'),
])

const Text = z.string().trim().min(1)
const Texts = z.union([Text.transform((text) => [text]), z.array(z.unknown())]).transform((items) =>
  items.flatMap((item) => {
    const text = Text.safeParse(item)
    return text.success ? [text.data] : []
  }),
)

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The first member of `sources` under one of `names` that `schema` reads. */
function firstOf<T>(sources: readonly Json[], names: readonly string[], schema: z.ZodType<T>): T | undefined {
  for (const source of sources) {
    for (const name of names) {
      if (!(name in source)) continue
      const parsed = schema.safeParse(source[name])
      if (parsed.success) return parsed.data
    }
  }
  return undefined
}

const FIELD_KEYS = ['field', 'attribute', 'param'] as const
const MESSAGE_KEYS = ['messages', 'message', 'detail'] as const

/** What the entries of an `errors` member say, whichever of its shapes it has. */
function readEntries(errors: unknown, messages: string[], fieldErrors: PrivyFieldError[], details: Json[]) {
  if (typeof errors === 'string') {
    const text = Text.safeParse(errors)
    if (text.success) messages.push(text.data)
    return
  }
  if (isObject(errors)) {
    // `{"nik": ["must be 16 digits"]}`: a map from field to its messages.
    for (const [field, value] of Object.entries(errors).slice(0, MAX_ENTRIES)) {
      const texts = Texts.safeParse(value)
      if (texts.success) fieldErrors.push({ field, messages: texts.data })
    }
    return
  }
  if (!Array.isArray(errors)) return
  for (const entry of errors.slice(0, MAX_ENTRIES)) {
    if (typeof entry === 'string') {
      readEntries(entry, messages, fieldErrors, details)
      continue
    }
    if (!isObject(entry)) continue
    details.push(entry)
    const field = firstOf([entry], FIELD_KEYS, Text)
    const texts = firstOf([entry], MESSAGE_KEYS, Texts) ?? []
    if (field !== undefined) fieldErrors.push({ field, messages: texts })
    else messages.push(...texts)
  }
}

export function parseErrorBody(
  status: number,
  text: string | undefined,
  retryAfterHeader: number | undefined,
): PrivyErrorDetails {
  const body = parseJson(text)
  const error = isObject(body) ? body.error : undefined
  if (!isObject(body) || !['error', 'errors', 'message', 'detail'].some((name) => name in body)) {
    return {
      code: status,
      messages: [],
      fieldErrors: [],
      retryAfterSeconds: retryAfterHeader,
      bodyUnreadable: true,
    }
  }
  const errorObject = isObject(error) ? error : {}
  const messages: string[] = []
  const fieldErrors: PrivyFieldError[] = []
  const entries: Json[] = []
  const headline = Text.safeParse(error).data ?? firstOf([errorObject, body], ['message', 'detail'], Text)
  if (headline !== undefined) messages.push(headline)
  readEntries(errorObject.errors, messages, fieldErrors, entries)
  readEntries(body.errors, messages, fieldErrors, entries)
  // Where the machine-readable details may sit, most specific first.
  const sources = [isObject(body.data) ? body.data : {}, errorObject, ...entries, body]
  const expired = firstOf(sources, ['expired'], ExpiredFlag)
  return {
    code: firstOf([errorObject, body], ['code'], Code) ?? status,
    messages,
    fieldErrors,
    retryAfterSeconds: firstOf(sources, ['retry_after'], Count) ?? retryAfterHeader,
    remainingAttempts: firstOf(sources, ['remaining_attempts'], Count),
    ...(expired === undefined ? {} : { expired }),
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
