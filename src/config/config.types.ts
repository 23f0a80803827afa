/**
 * The shape of the gateway's configuration: what loadConfig (config.ts) reads from the environment,
 * grouped by the part of the gateway that uses it.
 */
export interface PrivyCredentials {
  clientId: string
  clientSecret: string
  apiKey: string
  apiSecret: string
  channelId: string
  enterprisePrivyId: string
  enterpriseToken: string
}

export interface Config {
  env: 'development' | 'test' | 'production'
  server: {
    host: string
    port: number
    requestTimeoutMs: number
    /** A client that has not sent its whole request head by then is answered 408 (slow headers). */
    headersTimeoutMs: number
    shutdownGraceMs: number
    /** Fastify's `trustProxy` (TRUST_PROXY): which proxies' X-Forwarded-For names the client. */
    trustProxy: boolean | number | string[]
  }
  log: { level: string; bufferBytes: number }
  /** Prometheus metrics (src/observability): `GET /metrics` on its own listener when `port` is set. */
  metrics: { port?: number; host: string }
  /** OpenTelemetry traces (src/observability/tracing.ts), exported by server.ts when `endpoint` is set. */
  tracing: { endpoint?: string; serviceName: string }
  publicBaseUrl?: string
  /** Swagger UI (/docs) and /openapi.json are served: DOCS_ENABLED, by default everywhere but production. */
  docs: { enabled: boolean }
  security: {
    /** Exact origins allowed cross-origin (CORS_ORIGINS); empty: no CORS headers at all. */
    corsOrigins: string[]
    /** Strict-Transport-Security is sent only when the gateway is published over HTTPS. */
    hsts: boolean
  }
  database: {
    url?: string
    poolSize: number
    pgliteDataDir: string
    /** The status reads' record cache (README, Benchmark: "The record cache"). */
    recordCache: { maxEntries: number; maxAgeMs: number }
  }
  privy: {
    /** `embedded` starts the project's simulator in-process (never in production). */
    mode: 'remote' | 'embedded'
    baseUrl?: string
    credentials: PrivyCredentials
    timeoutMs: number
    /** Deadline of a document upload, which sends the whole PDF. */
    uploadTimeoutMs: number
    /** A side-effect call past its deadline is still listened to this long, so a late answer lands. */
    lateAnswerMs: number
    connectTimeoutMs: number
    merchantRaEnabled: boolean
    /**
     * Where the embedded simulator keeps its state, beside the PGlite data, so a restart is
     * invisible (src/simulator/persistence.ts).
     */
    simulatorStateFile: string
    /** The embedded simulator's preferred port (SIMULATOR_PORT). */
    simulatorPort: number
  }
  auth: {
    jwt: { secret?: string; publicKeyPem?: string; issuer?: string; audience?: string }
    opsApiKeyHashes: string[]
    /** Generated at start outside production when no auth is configured, to be printed once. */
    devSecrets?: { apiKey?: string; jwtSecret?: string }
  }
  /** Keys as base64 of 32 bytes; outside production the published dev keys when not configured. */
  pii: {
    encryptionKey: string
    /** Keys rotated out: they still open what they sealed until `npm run pii:rotate` re-seals it. */
    previousEncryptionKeys: string[]
    lookupKey: string
    usingDevKeys: boolean
    /** NIK and date of birth of registrations that ended this long ago are erased. */
    retentionDays: number
  }
  idempotency: { ttlHours: number }
  jobs: {
    /** Reconciler, poller, callback consumer and webhook dispatcher run in this process. */
    enabled: boolean
    reconcileIntervalMs: number
    pollIntervalMs: number
    pollStaleAfterSeconds: number
    /**
     * The bound on an unknown create: settled by then (late answer, callback, keyed retry) or handed
     * to an operator as `unresolved`, the person or PDF free to try again.
     */
    unknownSettleMinutes: number
    callbackApplyIntervalMs: number
    /** Purges expired idempotency keys and erases PII past its retention. */
    housekeepingIntervalMs: number
  }
  webhooks: {
    dispatchIntervalMs: number
    timeoutMs: number
    /** Delay before each attempt, the first included: its length is the number of attempts. */
    retryScheduleMs: number[]
    disableAfterHours: number
    /** http:// endpoints (and private addresses) are allowed: always outside production. */
    allowHttp: boolean
  }
  registration: { refreshAfterSeconds: number; ktpMaxBytes: number; selfieMaxBytes: number }
  documents: { maxBytes: number; signedPdfStore: SignedPdfStoreConfig; maxPages: number; maxObjects: number }
  /** The worker threads that read PDFs (src/pdf-worker/). */
  pdf: { workers: number; queueSize: number; jobTimeoutMs: number; maxHeapMb: number }
  /** Refused Privy callbacks: how many are kept as evidence, and for how long (README "Privy callbacks"). */
  callbacks: {
    rejectedStoredPerAddressPerHour: number
    rejectedStoredPerHour: number
    rejectedRetentionHours: number
  }
  /** Abuse limits of OTP sends, counted in PostgreSQL across instances (README "Abuse limits"). */
  abuse: {
    otpSendsPerUserPerHour: number
    otpSendsPerPhonePerHour: number
    otpSendsPerPhonePerDay: number
    otpSendsPerPhoneBlockPerHour: number
    otpSendsPerIpPerHour: number
    otpSendsPerEmailPerHour: number
    otpSendsPerEmailPerDay: number
    /** Every OTP send of the merchant per UTC day, whoever asked. */
    otpDailyBudget: number
  }
}

/** README "Signed PDFs": the database (default), an S3-compatible bucket, or one instance's directory. */
export type SignedPdfStoreConfig =
  | { kind: 'postgres' }
  | { kind: 'directory'; directory: string }
  | ({ kind: 's3' } & S3StoreConfig)

/** An S3-compatible bucket for signed PDFs (src/modules/documents/signed-pdf-s3.ts). */
export interface S3StoreConfig {
  bucket: string
  /** A key prefix, e.g. `signed-pdfs/`, so the bucket can hold other things. */
  prefix: string
  region: string
  /** An S3-compatible server (MinIO, Ceph, R2...); AWS itself when absent. */
  endpoint?: string
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most S3-compatible servers want. */
  forcePathStyle: boolean
  /** Given explicitly, else the SDK's default chain (AWS_* variables, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}
