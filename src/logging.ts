import { type DestinationStream, type Logger, type LoggerOptions, pino, stdSerializers } from 'pino'
import { traceLogFields } from './observability/log-fields.js'
import { CENSOR, scrubText, serializeError } from './observability/log-scrub.js'

/**
 * What the gateway logs, and what it never does: nothing sensitive handed to the logger, serializers that
 * shape `req.url` and `err`, and pino `redact` on exact paths only (wildcards cost 25-60 µs a line).
 * The three lines of defence and the measurement: docs/decisions/log-redaction.md.
 */
const SENSITIVE_KEYS = [
  // Identity data (UU PDP 27/2022) and images.
  'nik',
  'dob',
  'identity',
  'ktp',
  'selfie',
  'email',
  'phone',
  // One-time codes and the tokens Privy issues per registration / document.
  'otp_code',
  'otpCode',
  'register_token',
  'registerToken',
  'document_token',
  'documentToken',
  'landing_token',
  'landingToken',
  // Credentials: ours, the callers', Privy's, the webhook signing secrets.
  'access_token',
  'accessToken',
  'token',
  'client_secret',
  'clientSecret',
  'api_secret',
  'apiSecret',
  'api_key',
  'apiKey',
  'enterpriseToken',
  'enterprise_token',
  // The S3 store's key pair (README "Signed PDFs"), should an object holding it ever be logged.
  'secretAccessKey',
  'sessionToken',
  'secret',
  'secrets',
  'password',
  'authorization',
  'cookie',
  'set-cookie',
  'signature',
  'x-api-key',
]

/** Keys under which a whole request, record or payload tends to be logged. */
const CONTAINERS = [
  'body',
  'data',
  'payload',
  'params',
  'query',
  'headers',
  'form',
  'fields',
  'input',
  'registration',
  'document',
  'signer',
  'user',
  'person',
  'record',
  'row',
  'callback',
  'options',
  'extensions',
  'details',
  'context',
  'request',
  'response',
  'result',
]

/** Containers of lists: their items' sensitive keys are censored too. */
const LIST_CONTAINERS = ['signers', 'registrations', 'documents', 'records', 'rows', 'items', 'data']

/** A key as a pino redact path segment: `.nik`, or `["x-api-key"]` for one that is not an identifier. */
const segment = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`)

export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS.map((key) => segment(key).replace(/^\./, '')),
  ...CONTAINERS.flatMap((container) => SENSITIVE_KEYS.map((key) => `${container}${segment(key)}`)),
  ...LIST_CONTAINERS.flatMap((container) => SENSITIVE_KEYS.map((key) => `${container}[*]${segment(key)}`)),
]

/**
 * Query parameters whose values are logged: the gateway's own paging, filter and refresh options,
 * none of which carries a secret. Any other parameter is logged with its value censored.
 */
const LOGGED_QUERY_PARAMETERS = new Set([
  'cursor',
  'limit',
  'refresh',
  'status',
  'state',
  'registration_type',
  'reference_number',
  'endpoint_id',
  'event_id',
  'event_type',
])

/** The request URL as logged: the path scrubbed, query values censored unless known to be harmless. */
export function loggableUrl(url: string): string {
  const mark = url.indexOf('?')
  if (mark === -1) return scrubText(url)
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=')
      const name = equals === -1 ? pair : pair.slice(0, equals)
      if (LOGGED_QUERY_PARAMETERS.has(name)) return scrubText(pair)
      return equals === -1 ? scrubText(name) : `${scrubText(name)}=${CENSOR}`
    })
    .join('&')
  return `${scrubText(url.slice(0, mark))}?${query}`
}

interface LoggedRequest {
  method: string
  url: string
  id: string
}

export interface CreateLoggerOptions {
  /**
   * false turns every censoring step off (redact paths, URL and error scrubbing). For
   * bench/redaction.ts only, to measure what redaction costs: no configuration reaches it.
   */
  redact?: boolean
  /**
   * Bytes of lines held before one write to stdout (LOG_BUFFER_BYTES; 0: pino's own stdout stream,
   * which writes each line as soon as the write before it ends). Ignored with a `destination`.
   */
  bufferBytes?: number
}

/** Held lines are written at the latest this long after they were logged (a quiet gateway too). */
const BUFFER_FLUSH_MS = 1_000

/**
 * stdout through a buffer of `minLength` bytes. pino's own exit hook writes what is held on every
 * exit that runs JavaScript (process.exit, an uncaught error); a kill loses it (docs/decisions/log-buffering.md).
 */
function bufferedStdout(minLength: number): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength, periodicFlush: BUFFER_FLUSH_MS })
}

/** The gateway's logger; tests pass a destination to read every line the app writes. */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  { redact = true, bufferBytes = 0 }: CreateLoggerOptions = {},
): Logger {
  const options: LoggerOptions = {
    level,
    mixin: traceLogFields,
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redact ? loggableUrl(request.url) : request.url,
        request_id: request.id,
      }),
      err: redact ? serializeError : stdSerializers.err,
      // Why a callback or a job failed: text that may quote an error message.
      ...(redact
        ? { reason: (value: unknown) => (typeof value === 'string' ? scrubText(value) : value) }
        : {}),
    },
    ...(redact ? { redact: { paths: [...REDACT_PATHS], censor: CENSOR } } : {}),
  }
  const stream = destination ?? (bufferBytes > 0 ? bufferedStdout(bufferBytes) : undefined)
  return stream ? pino(options, stream) : pino(options)
}
