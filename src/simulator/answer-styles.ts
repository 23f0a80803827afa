import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * Answer styles (docs/privy-contract.md §7, "What we accept"): the same answers of the `/web/api/v2` operations,
 * said the ways a reasonable Privy, or a proxy in front of it, may say them. `contract` (the default)
 * is the contract's own shape; every other style rewrites each answer on its way out, after the work
 * is done, so the state and the rules are the same whatever the style. The gateway must read every
 * style into the same result (src/privy/error-body.ts).
 */
export const ANSWER_STYLES = [
  /** `{"error": {"code": 422, "errors": ["text"]}, "data": {"remaining_attempts": 2}}`. */
  'contract',
  /** `errors[]` entries are objects, and the details sit inside the first one. */
  'details_in_errors',
  /** The details sit inside the `error` object. */
  'details_in_error',
  /** `error.code` and every count and flag are strings: `"422"`, `"2"`, `"true"`. */
  'string_codes',
  /** `{"error": "text", "remaining_attempts": 2}`: the error as plain text, details at the top level. */
  'error_text',
  /** Unknown members next to every known one, in errors and in successes. */
  'extra_fields',
  /** Only what is required: no `message` on a success, no `errors` texts on an error. */
  'minimal',
  /** Every error answer is an HTML page, as a proxy in front of Privy would send it. */
  'html',
] as const
export type AnswerStyle = (typeof ANSWER_STYLES)[number]

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `SimError` bodies (errors.ts): `{error: {code, errors}, data?}`. */
interface ErrorAnswer {
  error: { code: number; errors: unknown[] }
  data?: Json
}

function isErrorAnswer(body: unknown): body is ErrorAnswer {
  return isObject(body) && isObject(body.error) && Array.isArray(body.error.errors)
}

const textOf = (item: unknown): string =>
  typeof item === 'string'
    ? item
    : isObject(item) && Array.isArray(item.messages)
      ? `${String(item.field)}: ${item.messages.join(', ')}`
      : JSON.stringify(item)

function asEntry(item: unknown): Json {
  if (!isObject(item)) return { message: item }
  const messages = Array.isArray(item.messages) ? item.messages : []
  return { field: item.field, message: messages.join('; ') }
}

const stringified = (data: Json): Json =>
  Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      typeof value === 'number' || typeof value === 'boolean' ? String(value) : value,
    ]),
  )

function restyleError(style: AnswerStyle, body: ErrorAnswer): Json {
  const { code, errors } = body.error
  const data = body.data ?? {}
  switch (style) {
    case 'details_in_errors': {
      const [first, ...rest] = errors.map(asEntry)
      return { error: { code, errors: [{ ...(first ?? {}), ...data }, ...rest] } }
    }
    case 'details_in_error':
      return { error: { code, errors, ...data } }
    case 'string_codes':
      return { error: { code: String(code), errors }, data: stringified(data) }
    case 'error_text':
      return { error: errors.map(textOf).join('; '), ...data }
    case 'extra_fields':
      return {
        error: { code, errors, trace_id: 'sim-trace', documentation_url: 'https://example.invalid/errors' },
        data: { ...data, hint: { retryable: false } },
        meta: { version: 'v2', served_by: 'simulator' },
      }
    case 'minimal':
      return body.data === undefined ? { error: { code } } : { error: { code }, data }
    default:
      return { ...body }
  }
}

function restyleSuccess(style: AnswerStyle, body: Json): Json {
  if (style === 'minimal') {
    const { message: _message, ...rest } = body
    return rest
  }
  if (style === 'extra_fields') {
    const data = isObject(body.data) ? { ...body.data, sim_extra: { note: 'ignore me' } } : body.data
    return { ...body, data, meta: { version: 'v2' } }
  }
  return body
}

function htmlPage(status: number): string {
  return (
    `<!DOCTYPE html><html><head><title>${status} Error</title></head>` +
    `<body><center><h1>${status} Error</h1></center><hr><center>nginx</center></body></html>`
  )
}

/** The answer `payload` (a JSON text) in `style`; anything that is not JSON is left as it is. */
export function restyle(
  style: AnswerStyle,
  status: number,
  payload: string,
): { payload: string; contentType?: string } {
  if (style === 'contract') return { payload }
  let body: unknown
  try {
    body = JSON.parse(payload)
  } catch {
    return { payload }
  }
  if (isErrorAnswer(body)) {
    if (style === 'html') return { payload: htmlPage(status), contentType: 'text/html; charset=utf-8' }
    return { payload: JSON.stringify(restyleError(style, body)) }
  }
  if (status < 300 && isObject(body)) return { payload: JSON.stringify(restyleSuccess(style, body)) }
  return { payload }
}

/**
 * Rewrites the answers of the Privy operations (never `/__sim`) in the current answer style, asked on
 * every answer (a function, not the context: the context's state knows this file's types).
 */
export function installAnswerStyles(app: FastifyInstance, currentStyle: () => AnswerStyle): void {
  app.addHook('onSend', async (request, reply: FastifyReply, payload) => {
    const style = currentStyle()
    if (style === 'contract' || typeof payload !== 'string') return payload
    if (!request.url.startsWith('/web/api/v2/') && !request.url.startsWith('/oauth2/')) return payload
    const restyled = restyle(style, reply.statusCode, payload)
    if (restyled.contentType !== undefined) reply.header('content-type', restyled.contentType)
    return restyled.payload
  })
}
