import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { z } from 'zod'
import { DEV_CREDENTIALS } from '../privy/index.js'
import type { Config, SignedPdfStoreConfig } from './config.types.js'
import { EnvSchema, REQUIRED_FOR_REMOTE_PRIVY, REQUIRED_IN_PRODUCTION } from './env-schema.js'

export type { Config, PrivyCredentials, SignedPdfStoreConfig } from './config.types.js'

/**
 * Published on purpose, like the simulator's credentials: development data is not protected by
 * them, and production refuses to start without its own keys.
 */
export const DEV_PII_KEYS = {
  encryptionKey: Buffer.alloc(32, 'privy-gateway-dev-encryption-key').toString('base64'),
  lookupKey: Buffer.alloc(32, 'privy-gateway-dev-lookup-key').toString('base64'),
} as const

/** The embedded simulator's state, inside the PGlite data directory (whatever the database). */
export const SIMULATOR_STATE_FILE = 'privy-simulator.json'

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment once into a frozen Config, listing every problem in one error. `kept`:
 * the development secrets of an earlier start (dev-secrets.ts), used instead of new random ones.
 */
export function loadConfig(
  source: Record<string, string | undefined>,
  kept?: { jwtSecret: string; apiKey: string },
): Readonly<Config> {
  const parsed = EnvSchema.safeParse(source)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  const env = parsed.data
  const production = env.NODE_ENV === 'production'

  if (production) {
    const missing: string[] = REQUIRED_IN_PRODUCTION.filter((key) => !env[key]).map(
      (key) => `${key}: required when NODE_ENV=production`,
    )
    if (!env.AUTH_JWT_SECRET && !env.AUTH_JWT_PUBLIC_KEY) {
      missing.push('AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY: required when NODE_ENV=production')
    }
    if (missing.length > 0) throw new ConfigError(missing)
  }

  if (env.PRIVY_BASE_URL) {
    // A real Privy never gets the simulator's published credentials.
    const missing = REQUIRED_FOR_REMOTE_PRIVY.filter((key) => !env[key]).map(
      (key) => `${key}: required when PRIVY_BASE_URL is set`,
    )
    if (missing.length > 0) throw new ConfigError(missing)
  }

  if (env.SIGNED_PDF_STORE === 's3' && !env.S3_BUCKET) {
    throw new ConfigError(['S3_BUCKET: required when SIGNED_PDF_STORE=s3'])
  }

  // The bound must leave room for everything that can still settle a create by itself.
  const settleFloorMs = Math.max(
    env.PRIVY_LATE_ANSWER_MS,
    inFlightBudgetMs({
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      privyTimeoutMs: env.PRIVY_TIMEOUT_MS,
      uploadTimeoutMs: env.PRIVY_UPLOAD_TIMEOUT_MS,
    }),
  )
  if (env.UNKNOWN_SETTLE_MINUTES * 60_000 <= settleFloorMs) {
    throw new ConfigError([
      `UNKNOWN_SETTLE_MINUTES: must be longer than PRIVY_LATE_ANSWER_MS and the longest request (${settleFloorMs} ms)`,
    ])
  }

  const devSecrets: { apiKey?: string; jwtSecret?: string } = {}
  let jwtSecret = env.AUTH_JWT_SECRET
  if (!jwtSecret && !env.AUTH_JWT_PUBLIC_KEY) {
    jwtSecret = kept?.jwtSecret ?? randomBytes(32).toString('base64url')
    devSecrets.jwtSecret = jwtSecret
  }
  let opsApiKeyHashes = env.OPS_API_KEY_HASHES?.split(',').map((hash) => hash.toLowerCase()) ?? []
  if (opsApiKeyHashes.length === 0) {
    devSecrets.apiKey = kept?.apiKey ?? `dev_${randomBytes(24).toString('base64url')}`
    opsApiKeyHashes = [createHash('sha256').update(devSecrets.apiKey).digest('hex')]
  }

  const embedded = !env.PRIVY_BASE_URL
  const config: Config = {
    env: env.NODE_ENV,
    server: {
      host: env.HOST,
      port: env.PORT,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      trustProxy: env.TRUST_PROXY,
    },
    log: { level: env.LOG_LEVEL, bufferBytes: env.LOG_BUFFER_BYTES },
    docs: { enabled: env.DOCS_ENABLED ?? !production },
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST ?? env.HOST },
    tracing: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
    security: {
      corsOrigins: env.CORS_ORIGINS ?? [],
      hsts: env.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      pgliteDataDir: env.PGLITE_DATA_DIR,
      recordCache: { maxEntries: env.RECORD_CACHE_ENTRIES, maxAgeMs: env.RECORD_CACHE_MAX_AGE_MS },
    },
    privy: {
      mode: embedded ? 'embedded' : 'remote',
      baseUrl: env.PRIVY_BASE_URL,
      credentials: {
        clientId: env.PRIVY_CLIENT_ID ?? DEV_CREDENTIALS.clientId,
        clientSecret: env.PRIVY_CLIENT_SECRET ?? DEV_CREDENTIALS.clientSecret,
        apiKey: env.PRIVY_API_KEY ?? DEV_CREDENTIALS.apiKey,
        apiSecret: env.PRIVY_API_SECRET ?? DEV_CREDENTIALS.apiSecret,
        channelId: env.PRIVY_CHANNEL_ID ?? DEV_CREDENTIALS.channelId,
        enterprisePrivyId: env.PRIVY_ENTERPRISE_PRIVY_ID ?? DEV_CREDENTIALS.enterprisePrivyId,
        enterpriseToken: env.PRIVY_ENTERPRISE_TOKEN ?? DEV_CREDENTIALS.enterpriseToken,
      },
      timeoutMs: env.PRIVY_TIMEOUT_MS,
      uploadTimeoutMs: env.PRIVY_UPLOAD_TIMEOUT_MS,
      lateAnswerMs: env.PRIVY_LATE_ANSWER_MS,
      connectTimeoutMs: env.PRIVY_CONNECT_TIMEOUT_MS,
      merchantRaEnabled: env.PRIVY_MERCHANT_RA_ENABLED,
      simulatorStateFile: join(env.PGLITE_DATA_DIR, SIMULATOR_STATE_FILE),
      simulatorPort: env.SIMULATOR_PORT,
    },
    auth: {
      jwt: {
        secret: jwtSecret,
        publicKeyPem: env.AUTH_JWT_PUBLIC_KEY,
        issuer: env.AUTH_JWT_ISSUER,
        audience: env.AUTH_JWT_AUDIENCE,
      },
      opsApiKeyHashes,
      devSecrets: Object.keys(devSecrets).length > 0 ? devSecrets : undefined,
    },
    pii: {
      encryptionKey: env.PII_ENCRYPTION_KEY ?? DEV_PII_KEYS.encryptionKey,
      lookupKey: env.PII_LOOKUP_KEY ?? DEV_PII_KEYS.lookupKey,
      previousEncryptionKeys: env.PII_ENCRYPTION_PREVIOUS_KEYS?.split(',').map((key) => key.trim()) ?? [],
      retentionDays: env.PII_RETENTION_DAYS,
      usingDevKeys: !env.PII_ENCRYPTION_KEY || !env.PII_LOOKUP_KEY,
    },
    idempotency: { ttlHours: env.IDEMPOTENCY_KEY_TTL_HOURS },
    jobs: {
      enabled: env.BACKGROUND_JOBS_ENABLED,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      pollIntervalMs: env.POLL_INTERVAL_MS,
      pollStaleAfterSeconds: env.POLL_STALE_AFTER_SECONDS,
      unknownSettleMinutes: env.UNKNOWN_SETTLE_MINUTES,
      callbackApplyIntervalMs: env.CALLBACK_APPLY_INTERVAL_MS,
      housekeepingIntervalMs: env.HOUSEKEEPING_INTERVAL_MS,
    },
    webhooks: {
      dispatchIntervalMs: env.WEBHOOK_DISPATCH_INTERVAL_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: env.WEBHOOK_RETRY_SCHEDULE_MS,
      disableAfterHours: env.WEBHOOK_DISABLE_AFTER_HOURS,
      allowHttp: env.WEBHOOK_ALLOW_HTTP || !production,
    },
    registration: {
      refreshAfterSeconds: env.REGISTRATION_REFRESH_AFTER_SECONDS,
      ktpMaxBytes: env.REGISTRATION_KTP_MAX_BYTES,
      selfieMaxBytes: env.REGISTRATION_SELFIE_MAX_BYTES,
    },
    documents: {
      maxBytes: env.DOCUMENT_MAX_BYTES,
      signedPdfStore: signedPdfStoreOf(env),
      maxPages: env.DOCUMENT_MAX_PAGES,
      maxObjects: env.DOCUMENT_MAX_OBJECTS,
    },
    pdf: {
      // Two keep one hostile PDF from stalling every upload; more than the cores only adds waiting.
      workers: env.PDF_WORKERS ?? Math.min(2, availableParallelism()),
      queueSize: env.PDF_QUEUE_SIZE,
      jobTimeoutMs: env.PDF_JOB_TIMEOUT_MS,
      maxHeapMb: env.PDF_WORKER_MAX_HEAP_MB,
    },
    callbacks: {
      rejectedStoredPerAddressPerHour: env.CALLBACK_REJECTED_PER_ADDRESS_PER_HOUR,
      rejectedStoredPerHour: env.CALLBACK_REJECTED_PER_HOUR,
      rejectedRetentionHours: env.CALLBACK_REJECTED_RETENTION_HOURS,
    },
    abuse: {
      otpSendsPerUserPerHour: env.OTP_SENDS_PER_USER_PER_HOUR,
      otpSendsPerPhonePerHour: env.OTP_SENDS_PER_PHONE_PER_HOUR,
      otpSendsPerPhonePerDay: env.OTP_SENDS_PER_PHONE_PER_DAY,
      otpSendsPerPhoneBlockPerHour: env.OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR,
      otpSendsPerIpPerHour: env.OTP_SENDS_PER_IP_PER_HOUR,
      otpSendsPerEmailPerHour: env.OTP_SENDS_PER_EMAIL_PER_HOUR,
      otpSendsPerEmailPerDay: env.OTP_SENDS_PER_EMAIL_PER_DAY,
      otpDailyBudget: env.OTP_DAILY_BUDGET,
    },
  }
  return deepFreeze(config)
}

/**
 * How long a row may stay `in_flight` while its request is alive: the request budget does not stop a
 * handler, the Privy deadlines (token, then upload) do. Past it, the instance died.
 */
export function inFlightBudgetMs(limits: {
  requestTimeoutMs: number
  privyTimeoutMs: number
  uploadTimeoutMs: number
}): number {
  return Math.max(limits.requestTimeoutMs, limits.privyTimeoutMs + limits.uploadTimeoutMs) + 10_000
}

/**
 * The PII keys alone, for tools that need nothing else (the migration runner seals Privy tokens with
 * them). Outside production the published dev keys stand in, as in loadConfig.
 */
export function loadPiiKeys(source: Record<string, string | undefined>): Readonly<Config['pii']> {
  const parsed = EnvSchema.pick({
    NODE_ENV: true,
    PII_ENCRYPTION_KEY: true,
    PII_ENCRYPTION_PREVIOUS_KEYS: true,
    PII_LOOKUP_KEY: true,
    PII_RETENTION_DAYS: true,
  }).safeParse(source)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  const env = parsed.data
  if (env.NODE_ENV === 'production' && !env.PII_ENCRYPTION_KEY) {
    throw new ConfigError(['PII_ENCRYPTION_KEY: required when NODE_ENV=production'])
  }
  return deepFreeze({
    encryptionKey: env.PII_ENCRYPTION_KEY ?? DEV_PII_KEYS.encryptionKey,
    lookupKey: env.PII_LOOKUP_KEY ?? DEV_PII_KEYS.lookupKey,
    previousEncryptionKeys: env.PII_ENCRYPTION_PREVIOUS_KEYS?.split(',').map((key) => key.trim()) ?? [],
    retentionDays: env.PII_RETENTION_DAYS,
    usingDevKeys: !env.PII_ENCRYPTION_KEY || !env.PII_LOOKUP_KEY,
  })
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child)
  }
  return Object.freeze(value)
}

function signedPdfStoreOf(env: z.output<typeof EnvSchema>): SignedPdfStoreConfig {
  if (env.SIGNED_PDF_STORE === 'directory') return { kind: 'directory', directory: env.SIGNED_PDF_STORE_DIR }
  if (env.SIGNED_PDF_STORE === 'postgres') return { kind: 'postgres' }
  const pathStyle = env.S3_FORCE_PATH_STYLE
  const keys =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined
  return {
    kind: 's3',
    bucket: env.S3_BUCKET ?? '',
    prefix: env.S3_PREFIX,
    region: env.S3_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    forcePathStyle: pathStyle ? pathStyle === 'true' || pathStyle === '1' : env.S3_ENDPOINT !== undefined,
    ...(keys ? { credentials: keys } : {}),
  }
}
