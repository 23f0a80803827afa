import { createHash, randomBytes } from 'node:crypto'
import { DEV_CREDENTIALS } from '../simulator/dev-credentials.js'
import { EnvSchema, REQUIRED_FOR_REMOTE_PRIVY, REQUIRED_IN_PRODUCTION } from './env-schema.js'

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
  server: { host: string; port: number; requestTimeoutMs: number; shutdownGraceMs: number }
  log: { level: string }
  publicBaseUrl?: string
  database: { url?: string; poolSize: number; pgliteDataDir: string }
  privy: {
    /** `embedded` starts the project's simulator in-process (never in production). */
    mode: 'remote' | 'embedded'
    baseUrl?: string
    credentials: PrivyCredentials
    timeoutMs: number
    connectTimeoutMs: number
    merchantRaEnabled: boolean
  }
  auth: {
    jwt: { secret?: string; publicKeyPem?: string; issuer?: string; audience?: string }
    opsApiKeyHashes: string[]
    /** Generated at start outside production when no auth is configured, to be printed once. */
    devSecrets?: { apiKey?: string; jwtSecret?: string }
  }
  pii: { encryptionKey?: string }
  registration: { refreshAfterSeconds: number; ktpMaxBytes: number; selfieMaxBytes: number }
  documents: { maxBytes: number; signedPdfStoreDir: string }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Parses the environment once into a frozen Config, listing every problem in one error. */
export function loadConfig(source: Record<string, string | undefined>): Readonly<Config> {
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

  const devSecrets: { apiKey?: string; jwtSecret?: string } = {}
  let jwtSecret = env.AUTH_JWT_SECRET
  if (!jwtSecret && !env.AUTH_JWT_PUBLIC_KEY) {
    jwtSecret = randomBytes(32).toString('base64url')
    devSecrets.jwtSecret = jwtSecret
  }
  let opsApiKeyHashes = env.OPS_API_KEY_HASHES?.split(',').map((hash) => hash.toLowerCase()) ?? []
  if (opsApiKeyHashes.length === 0) {
    devSecrets.apiKey = `dev_${randomBytes(24).toString('base64url')}`
    opsApiKeyHashes = [createHash('sha256').update(devSecrets.apiKey).digest('hex')]
  }

  const embedded = !env.PRIVY_BASE_URL
  const config: Config = {
    env: env.NODE_ENV,
    server: {
      host: env.HOST,
      port: env.PORT,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    },
    log: { level: env.LOG_LEVEL },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, pgliteDataDir: env.PGLITE_DATA_DIR },
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
      connectTimeoutMs: env.PRIVY_CONNECT_TIMEOUT_MS,
      merchantRaEnabled: env.PRIVY_MERCHANT_RA_ENABLED,
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
    pii: { encryptionKey: env.PII_ENCRYPTION_KEY },
    registration: {
      refreshAfterSeconds: env.REGISTRATION_REFRESH_AFTER_SECONDS,
      ktpMaxBytes: env.REGISTRATION_KTP_MAX_BYTES,
      selfieMaxBytes: env.REGISTRATION_SELFIE_MAX_BYTES,
    },
    documents: { maxBytes: env.DOCUMENT_MAX_BYTES, signedPdfStoreDir: env.SIGNED_PDF_STORE_DIR },
  }
  return deepFreeze(config)
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child)
  }
  return Object.freeze(value)
}
