import { type DestinationStream, type Logger, pino } from 'pino'

/**
 * Paths pino censors wherever they appear in a log line. The gateway never logs bodies, but a
 * careless `log.info({ body })` must still not leak identity data, codes or credentials.
 */
const SENSITIVE_KEYS = [
  'nik',
  'dob',
  'identity',
  'ktp',
  'selfie',
  'otp_code',
  'register_token',
  'document_token',
  'access_token',
  'client_secret',
  'api_secret',
  'enterpriseToken',
  'password',
  'email',
  'phone',
  'authorization',
  'signature',
  'cookie',
]

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
]

/** The gateway's logger; tests pass a destination to read every line the app writes. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // The URL's query may carry a cursor or a refresh flag, never a secret; bodies are never logged.
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        url: request.url,
        request_id: request.id,
      }),
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
