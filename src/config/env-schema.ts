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

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/**
 * Every environment variable the gateway reads, with its default. `.env.example` lists exactly
 * these keys (a test checks it). Values are parsed once, in src/server.ts, into a frozen Config.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_BASE_URL: optionalUrl,

  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  DATABASE_POOL_SIZE: positiveInt(10),
  PGLITE_DATA_DIR: z.string().default('./data'),

  PRIVY_BASE_URL: optionalUrl,
  PRIVY_CLIENT_ID: optionalString,
  PRIVY_CLIENT_SECRET: optionalString,
  PRIVY_API_KEY: optionalString,
  PRIVY_API_SECRET: optionalString,
  PRIVY_CHANNEL_ID: optionalString,
  PRIVY_ENTERPRISE_PRIVY_ID: optionalString,
  PRIVY_ENTERPRISE_TOKEN: optionalString,
  PRIVY_TIMEOUT_MS: positiveInt(15_000),
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
  SIGNED_PDF_STORE_DIR: z.string().default('./data/signed-pdfs'),
  REGISTRATION_KTP_MAX_BYTES: positiveInt(2 * 1024 * 1024),
  REGISTRATION_SELFIE_MAX_BYTES: positiveInt(4 * 1024 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt(60_000),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
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
] as const
