import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, DEV_PII_KEYS, loadConfig, loadPiiKeys } from '../../src/config/config.js'
import { EnvSchema } from '../../src/config/env-schema.js'

/** Everything production requires. */
const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://gateway@db:5432/gateway',
  PRIVY_BASE_URL: 'https://stg-core.privy.id',
  PRIVY_CLIENT_ID: 'c',
  PRIVY_CLIENT_SECRET: 'cs',
  PRIVY_API_KEY: 'k',
  PRIVY_API_SECRET: 'ks',
  PRIVY_CHANNEL_ID: 'ch',
  PRIVY_ENTERPRISE_PRIVY_ID: 'ent',
  PRIVY_ENTERPRISE_TOKEN: 'et',
  AUTH_JWT_SECRET: 'x'.repeat(32),
  OPS_API_KEY_HASHES: 'a'.repeat(64),
  PII_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  PII_LOOKUP_KEY: Buffer.alloc(32, 2).toString('base64'),
}

describe('loadConfig', () => {
  it('runs on embedded defaults outside production, inventing dev credentials', () => {
    const config = loadConfig({})
    expect(config.env).toBe('development')
    expect(config.database.url).toBeUndefined()
    expect(config.database.pgliteDataDir).toBe('./data')
    expect(config.privy.mode).toBe('embedded')
    expect(config.privy.timeoutMs).toBe(15_000)
    expect(config.privy.connectTimeoutMs).toBe(3_000)
    expect(config.auth.devSecrets?.jwtSecret).toHaveLength(43)
    expect(config.auth.devSecrets?.apiKey).toMatch(/^dev_/)
    expect(config.auth.opsApiKeyHashes).toHaveLength(1)
  })

  it('is frozen, deeply', () => {
    const config = loadConfig({})
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.privy.credentials)).toBe(true)
  })

  it('refuses production without its required keys, listing every one in one message', () => {
    let caught: unknown
    try {
      loadConfig({ NODE_ENV: 'production' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const message = String((caught as ConfigError).message)
    for (const key of [
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
      'AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY',
    ]) {
      expect(message).toContain(key)
    }
  })

  it('lists every invalid value at once', () => {
    expect(() =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        AUTH_JWT_SECRET: 'short',
        OPS_API_KEY_HASHES: 'abc',
      }),
    ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*AUTH_JWT_SECRET[\s\S]*OPS_API_KEY_HASHES/)
  })

  it('starts in production when everything is given, with no dev secrets', () => {
    const config = loadConfig(productionEnv)
    expect(config.privy.mode).toBe('remote')
    expect(config.pii.usingDevKeys).toBe(false)
    expect(config.auth.devSecrets).toBeUndefined()
    expect(config.privy.credentials.clientSecret).toBe('cs')
  })
})

describe('DOCS_ENABLED', () => {
  it('serves the docs outside production by default, not in production, and follows the setting', () => {
    expect(loadConfig({}).docs.enabled).toBe(true)
    expect(loadConfig({ NODE_ENV: 'test', DOCS_ENABLED: 'false' }).docs.enabled).toBe(false)
    expect(loadConfig({ DOCS_ENABLED: '' }).docs.enabled).toBe(true)
    expect(loadConfig(productionEnv).docs.enabled).toBe(false)
    expect(loadConfig({ ...productionEnv, DOCS_ENABLED: 'true' }).docs.enabled).toBe(true)
    expect(() => loadConfig({ DOCS_ENABLED: 'yes' })).toThrow(/DOCS_ENABLED/)
  })
})

describe('.env.example', () => {
  it('documents exactly the keys the config reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    const keys = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1])
    expect(keys.sort()).toEqual(Object.keys(EnvSchema.shape).sort())
  })
})

describe('the settle bound of unknown outcomes', () => {
  it('is 15 minutes by default', () => {
    expect(loadConfig({}).jobs.unknownSettleMinutes).toBe(15)
  })

  it('must leave room for the late answer and the longest request', () => {
    // Default PRIVY_LATE_ANSWER_MS is 120 s: a 2-minute bound would hand rows over before it closed.
    expect(() => loadConfig({ UNKNOWN_SETTLE_MINUTES: '2' })).toThrow(/UNKNOWN_SETTLE_MINUTES/)
    expect(loadConfig({ UNKNOWN_SETTLE_MINUTES: '3' }).jobs.unknownSettleMinutes).toBe(3)
    expect(() =>
      loadConfig({ UNKNOWN_SETTLE_MINUTES: '3', PRIVY_LATE_ANSWER_MS: String(4 * 60_000) }),
    ).toThrow(/UNKNOWN_SETTLE_MINUTES/)
  })
})

describe('loadPiiKeys (the migration runner seals Privy tokens with them)', () => {
  it('uses the dev keys outside production only', () => {
    expect(loadPiiKeys({}).encryptionKey).toBe(DEV_PII_KEYS.encryptionKey)
    expect(() => loadPiiKeys({ NODE_ENV: 'production' })).toThrow(/PII_ENCRYPTION_KEY/)
    const key = Buffer.alloc(32, 'k').toString('base64')
    expect(loadPiiKeys({ NODE_ENV: 'production', PII_ENCRYPTION_KEY: key }).encryptionKey).toBe(key)
  })
})
