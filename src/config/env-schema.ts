import { isIP } from 'node:net'
import { z } from 'zod'

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional()

const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/ }).optional())

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1')

/** `https://app.example.co.id` or `http://localhost:5173`: what a browser sends as `Origin`, nothing more. */
function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
  } catch {
    return false
  }
}

/** An address or CIDR of a trusted proxy, or one of proxy-addr's named ranges. */
function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true
  const [address = '', prefix, ...rest] = value.split('/')
  if (rest.length > 0 || isIP(address) === 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d+$/.test(prefix) && bits <= (isIP(address) === 4 ? 32 : 128)
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/**
 * Every environment variable the gateway reads, with its default. `.env.example` lists exactly
 * these keys (a test checks it). Values are parsed once, in src/server.ts, into a frozen Config.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Prometheus `GET /metrics` on a listener of its own; unset: no metrics listener. */
  METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional()),
  /** Where the metrics listener binds; default HOST. */
  METRICS_HOST: optionalString,
  /** OpenTelemetry traces over OTLP/HTTP to this collector (e.g. http://otel-collector:4318); unset: off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('privy-gateway'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Bytes of log lines held before one write to stdout (0: each line goes out as soon as the write
   * before it ends); held lines are written at the latest a second later and on every exit but a kill.
   * The trade-off: docs/decisions/log-buffering.md. Below SonicBoom's largest write (16 KiB), as it requires.
   */
  LOG_BUFFER_BYTES: z.coerce.number().int().min(0).max(16_000).default(0),
  PUBLIC_BASE_URL: optionalUrl,
  /** Exact origins (scheme://host[:port]) browser apps call from; none: no CORS headers at all. */
  CORS_ORIGINS: optionalString.pipe(
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(
              isExactOrigin,
              'must be exact origins such as https://app.example.co.id, comma-separated (no path, no "*")',
            ),
        ),
      )
      .optional(),
  ),

  /** Swagger UI at /docs and the document at /openapi.json; unset: on outside production, off in it. */
  DOCS_ENABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((value) =>
      value === undefined || value === '' ? undefined : value === 'true' || value === '1',
    ),

  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  DATABASE_POOL_SIZE: positiveInt(10),
  /** Rows the status reads' record cache keeps (src/lib/record-cache.ts); 0 turns it off. */
  RECORD_CACHE_ENTRIES: z.coerce.number().int().min(0).default(10_000),
  /** The longest a cached row is served without reading the database again. */
  RECORD_CACHE_MAX_AGE_MS: positiveInt(60_000),
  PGLITE_DATA_DIR: z.string().default('./data'),

  PRIVY_BASE_URL: optionalUrl,
  /**
   * Where the in-process simulator listens when PRIVY_BASE_URL is unset; taken: a free port (the
   * start banner prints the address either way).
   */
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  PRIVY_CLIENT_ID: optionalString,
  PRIVY_CLIENT_SECRET: optionalString,
  PRIVY_API_KEY: optionalString,
  PRIVY_API_SECRET: optionalString,
  PRIVY_CHANNEL_ID: optionalString,
  PRIVY_ENTERPRISE_PRIVY_ID: optionalString,
  PRIVY_ENTERPRISE_TOKEN: optionalString,
  PRIVY_TIMEOUT_MS: positiveInt(15_000),
  PRIVY_UPLOAD_TIMEOUT_MS: positiveInt(60_000),
  PRIVY_CONNECT_TIMEOUT_MS: positiveInt(3_000),
  PRIVY_MERCHANT_RA_ENABLED: booleanFlag,

  AUTH_JWT_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters (its UTF-8 bytes are the HS256 key)').optional(),
  ),
  AUTH_JWT_PUBLIC_KEY: optionalString.pipe(
    z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key' }).optional(),
  ),
  AUTH_JWT_ISSUER: optionalString,
  AUTH_JWT_AUDIENCE: optionalString,
  OPS_API_KEY_HASHES: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/, 'must be comma-separated SHA-256 hex digests')
      .optional(),
  ),

  PII_ENCRYPTION_KEY: optionalString.pipe(
    z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be base64 of 32 bytes')
      .optional(),
  ),
  REGISTRATION_REFRESH_AFTER_SECONDS: positiveInt(30),
  DOCUMENT_MAX_BYTES: positiveInt(10 * 1024 * 1024),
  /** Where signed PDFs are kept (README "Signed PDFs"): the database by default, shared by every instance. */
  SIGNED_PDF_STORE: z.enum(['postgres', 's3', 'directory']).default('postgres'),
  SIGNED_PDF_STORE_DIR: z.string().default('./data/signed-pdfs'),
  S3_BUCKET: optionalString,
  S3_ENDPOINT: optionalUrl,
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_PREFIX: z.string().default('signed-pdfs/'),
  /** Path-style URLs; empty: on when S3_ENDPOINT is set (most S3-compatible servers want them). */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '1', '0', '']).optional(),
  /** Read here so tests and one-file setups can pass them; unset, the AWS SDK's default chain. */
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  /** PDF checks (README "Documents"): past a limit, 422 PDF_TOO_COMPLEX. */
  DOCUMENT_MAX_PAGES: positiveInt(2_000),
  DOCUMENT_MAX_OBJECTS: positiveInt(500_000),
  /** Worker threads that read PDFs; empty: min(2, CPUs). */
  PDF_WORKERS: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(64).optional()),
  /** PDFs waiting for a worker; past it, 503 with Retry-After. */
  PDF_QUEUE_SIZE: z.coerce.number().int().min(0).default(32),
  PDF_JOB_TIMEOUT_MS: positiveInt(20_000),
  PDF_WORKER_MAX_HEAP_MB: z.coerce.number().int().min(32).default(256),
  REGISTRATION_KTP_MAX_BYTES: positiveInt(2 * 1024 * 1024),
  REGISTRATION_SELFIE_MAX_BYTES: positiveInt(4 * 1024 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt(60_000),
  // At most Node's own request timeout (5 min), which it must not exceed.
  HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().max(300_000).default(30_000),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),

  PII_LOOKUP_KEY: optionalString.pipe(
    z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be base64 of 32 bytes')
      .optional(),
  ),
  PII_ENCRYPTION_PREVIOUS_KEYS: optionalString.pipe(
    z
      .string()
      .refine(
        (value) => value.split(',').every((key) => Buffer.from(key.trim(), 'base64').length === 32),
        'must be comma-separated base64 of 32 bytes each',
      )
      .optional(),
  ),
  PII_RETENTION_DAYS: positiveInt(30),
  IDEMPOTENCY_KEY_TTL_HOURS: positiveInt(72),
  PRIVY_LATE_ANSWER_MS: positiveInt(120_000),
  BACKGROUND_JOBS_ENABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((value) => value !== 'false' && value !== '0'),
  RECONCILE_INTERVAL_MS: positiveInt(5_000),
  POLL_INTERVAL_MS: positiveInt(60_000),
  POLL_STALE_AFTER_SECONDS: positiveInt(900),
  /** An unknown create not settled within this many minutes is handed to an operator (`unresolved`). */
  UNKNOWN_SETTLE_MINUTES: positiveInt(15),
  CALLBACK_APPLY_INTERVAL_MS: positiveInt(1_000),
  /** Refused (401) Privy callbacks kept as evidence; past these they are counted, not stored. */
  CALLBACK_REJECTED_PER_ADDRESS_PER_HOUR: positiveInt(100),
  CALLBACK_REJECTED_PER_HOUR: positiveInt(1_000),
  CALLBACK_REJECTED_RETENTION_HOURS: positiveInt(72),
  HOUSEKEEPING_INTERVAL_MS: positiveInt(3_600_000),
  WEBHOOK_DISPATCH_INTERVAL_MS: positiveInt(1_000),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('0,5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((value) => value.split(',').map(Number)),
  WEBHOOK_DISABLE_AFTER_HOURS: positiveInt(120),
  WEBHOOK_ALLOW_HTTP: booleanFlag,

  /**
   * Which proxies in front of the gateway are believed about the client's address
   * (X-Forwarded-For), for the per-address limits: `false` (none: the socket's peer is the client),
   * `true` (any: only when the gateway is unreachable except through the proxy), a hop count, or
   * comma-separated addresses/CIDRs (or proxy-addr's `loopback`, `linklocal`, `uniquelocal`).
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((value, context): boolean | number | string[] => {
      if (value === '' || value === 'false') return false
      if (value === 'true') return true
      if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value)
      const hops = value
        .split(',')
        .map((hop) => hop.trim())
        .filter((hop) => hop !== '')
      const bad = hops.filter((hop) => !isProxyAddress(hop))
      if (bad.length > 0) {
        context.addIssue({
          code: 'custom',
          message: 'must be true, false, a hop count, or comma-separated proxy addresses or CIDRs',
        })
        return z.NEVER
      }
      return hops
    }),
  /** Abuse limits of OTP sends (SMS pumping); see README "Abuse limits". */
  OTP_SENDS_PER_USER_PER_HOUR: positiveInt(5),
  OTP_SENDS_PER_PHONE_PER_HOUR: positiveInt(3),
  OTP_SENDS_PER_PHONE_PER_DAY: positiveInt(10),
  OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR: positiveInt(20),
  /**
   * Off (0) by default: Indonesian mobile carriers put thousands of subscribers behind one public IPv4
   * address (carrier-grade NAT), so any per-address figure low enough to slow an attacker blocks real
   * users; the per-phone, per-block, per-user and budget limits stop SMS pumping without it
   * (test/integration/otp-limits-pumping.test.ts). A positive figure turns it on (e.g. behind a proxy
   * that gives each client its own address); see docs/decisions/otp-policy.md.
   */
  OTP_SENDS_PER_IP_PER_HOUR: z.coerce.number().int().min(0).default(0),
  /** Email OTPs to one address, as for one phone: one person needs one code; mail-bombing is the threat. */
  OTP_SENDS_PER_EMAIL_PER_HOUR: positiveInt(3),
  OTP_SENDS_PER_EMAIL_PER_DAY: positiveInt(10),
  OTP_DAILY_BUDGET: positiveInt(1_000),
})

export type Env = z.input<typeof EnvSchema>

/** With a Privy address, its credentials too: never the simulator's published defaults. */
export const REQUIRED_FOR_REMOTE_PRIVY = [
  'PRIVY_CLIENT_ID',
  'PRIVY_CLIENT_SECRET',
  'PRIVY_API_KEY',
  'PRIVY_API_SECRET',
  'PRIVY_CHANNEL_ID',
  'PRIVY_ENTERPRISE_PRIVY_ID',
  'PRIVY_ENTERPRISE_TOKEN',
] as const

/** Keys that production cannot run without: it talks to real Privy and real callers. */
export const REQUIRED_IN_PRODUCTION = [
  'DATABASE_URL',
  'PRIVY_BASE_URL',
  'PRIVY_CLIENT_ID',
  'PRIVY_CLIENT_SECRET',
  'PRIVY_API_KEY',
  'PRIVY_API_SECRET',
  'PRIVY_CHANNEL_ID',
  'PRIVY_ENTERPRISE_PRIVY_ID',
  'PRIVY_ENTERPRISE_TOKEN',
  'OPS_API_KEY_HASHES',
  'PII_ENCRYPTION_KEY',
  'PII_LOOKUP_KEY',
] as const
