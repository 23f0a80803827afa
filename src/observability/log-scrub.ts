/**
 * Free text (URLs, error messages, stacks) made safe to log: secret-shaped parts censored, and errors
 * reduced to what helps an operator. logging.ts wires these into pino (docs/decisions/log-redaction.md).
 */

export const CENSOR = '[redacted]'

/** Whether `text` has a run of 100 or more base64 characters, in one pass (a regex would rescan). */
function hasLongBase64Run(text: string): boolean {
  if (text.length < 100) return false
  let run = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    const base64 =
      (code >= 65 && code <= 90) || // A-Z
      (code >= 97 && code <= 122) || // a-z
      (code >= 47 && code <= 57) || // / and 0-9
      code === 43 || // +
      code === 61 || // =
      code === 95 || // _
      code === 45 // -
    run = base64 ? run + 1 : 0
    if (run >= 100) return true
  }
  return false
}

/**
 * Shapes of values that must not reach a log, found in free text (URLs, error messages), each
 * replaced by the censor. A shape's pattern runs only when its cheap trigger finds a hint of it, so
 * ordinary text (a UUID path, a stack trace) costs a few substring tests. Order matters: tokens
 * before the digit runs inside them.
 */
const SECRET_SHAPES: Array<{ hint: (text: string) => boolean; shape: RegExp }> = [
  // JWTs and other base64url JSON (`{"` encodes as `eyJ`).
  { hint: (text) => text.includes('eyJ'), shape: /eyJ[\w-]*(?:\.[\w-]*){0,2}/g },
  // Standard Webhooks signing secrets.
  { hint: (text) => text.includes('whsec_'), shape: /whsec_[A-Za-z0-9+/=_-]*/g },
  // Bearer or Basic credentials in a message.
  { hint: (text) => /bearer|basic/i.test(text), shape: /\b(?:bearer|basic)\s+[\w.~+/=-]+/gi },
  // Inline images and files.
  { hint: (text) => text.includes('data:'), shape: /data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/=]*/gi },
  // Emails, also URL-encoded.
  {
    hint: (text) => text.includes('@') || text.includes('%40'),
    shape: /[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+/g,
  },
  // NIKs (16 digits), phones (62…, +62…, 08…), and any other run of 9+ digits standing alone.
  { hint: (text) => /\d{9}/.test(text), shape: /(?<![\w-])(?:\+|%2[Bb])?\d{9,}(?![\w-])/g },
  // Dates (a date of birth: YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY) other than ISO timestamps.
  {
    hint: (text) => /\d{2}[-/]\d{2}[-/]\d{2}/.test(text),
    shape: /(?<![\w-])(?:\d{4}-\d{2}-\d{2}|\d{2}[-/]\d{2}[-/]\d{4})(?![\w:-])/g,
  },
  // Long base64 (image or PDF bytes, keys): no path, UUID or identifier is this long unbroken.
  { hint: hasLongBase64Run, shape: /[A-Za-z0-9+/=_-]{100,}/g },
]

/** `text` with every secret-shaped part censored. */
export function scrubText(text: string): string {
  let scrubbed = text
  for (const { hint, shape } of SECRET_SHAPES) {
    if (hint(scrubbed)) scrubbed = scrubbed.replace(shape, CENSOR)
  }
  return scrubbed
}

/** Scalar fields of an error worth logging: codes, statuses and ids, never values the error quotes. */
const LOGGED_ERROR_FIELDS = [
  'code',
  'status',
  'statusCode',
  'title',
  'operation',
  'requestId',
  'outcome',
  'phase',
  'lateAnswerPending',
  'retryAfterSeconds',
  'remainingAttempts',
  'bodyUnreadable',
  'errno',
  'syscall',
  'clientVersion',
] as const

const MAX_CAUSES = 5

interface ErrorLike {
  name?: unknown
  message?: unknown
  stack?: unknown
  cause?: unknown
  [key: string]: unknown
}

const isErrorLike = (value: unknown): value is ErrorLike =>
  value instanceof Error ||
  (typeof value === 'object' && value !== null && typeof (value as ErrorLike).message === 'string')

function errorType(error: ErrorLike): string {
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name
  if (typeof error.name === 'string' && error.name !== 'Error') return error.name
  return typeof constructorName === 'string' ? constructorName : 'Error'
}

/** The error, its cause, its cause's cause... (cycles and depth bounded). */
function causeChain(error: ErrorLike): ErrorLike[] {
  const chain: ErrorLike[] = [error]
  let current: unknown = error.cause
  while (isErrorLike(current) && !chain.includes(current) && chain.length <= MAX_CAUSES) {
    chain.push(current)
    current = current.cause
  }
  return chain
}

function errorFields(error: ErrorLike): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const key of LOGGED_ERROR_FIELDS) {
    const value = error[key]
    if (typeof value === 'number' || typeof value === 'boolean') fields[key] = value
    else if (typeof value === 'string') fields[key] = scrubText(value)
  }
  // Which fields Privy refused or found invalid, without what it said about them.
  const fieldErrors = error.fieldErrors
  if (Array.isArray(fieldErrors) && fieldErrors.length > 0) {
    fields.fields = fieldErrors.map((item: { field?: unknown }) => scrubText(String(item?.field)))
  }
  const issues = error.issues
  if (Array.isArray(issues) && issues.length > 0) {
    fields.issue_paths = issues.map((item: { path?: unknown }) => scrubText(String(item?.path)))
  }
  // AppError: where upstream it failed (status, code, Privy request id), never the cause's body.
  const upstream = (error.options as { upstream?: Record<string, unknown> } | undefined)?.upstream
  if (upstream && typeof upstream === 'object') {
    fields.upstream = {
      status: upstream.status,
      code: typeof upstream.code === 'string' ? scrubText(upstream.code) : upstream.code,
      request_id: upstream.request_id,
    }
  }
  return fields
}

/**
 * The `err` serializer: type, message and stack of the error and its causes (scrubbed), the fields
 * above for the error and each cause. Anything that is not an error goes through scrubbing as text.
 */
export function serializeError(value: unknown): unknown {
  if (!isErrorLike(value)) return typeof value === 'string' ? scrubText(value) : value
  const chain = causeChain(value)
  const message = chain
    .map((error) => (typeof error.message === 'string' ? error.message : ''))
    .filter(Boolean)
    .join(': ')
  const stack = chain
    .map((error) => (typeof error.stack === 'string' ? error.stack : `${errorType(error)}: ${error.message}`))
    .join('\ncaused by: ')
  return {
    type: errorType(value),
    message: scrubText(message),
    stack: scrubText(stack),
    ...errorFields(value),
    ...(chain.length > 1
      ? { causes: chain.slice(1).map((cause) => ({ type: errorType(cause), ...errorFields(cause) })) }
      : {}),
  }
}
