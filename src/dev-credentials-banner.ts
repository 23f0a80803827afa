import { SignJWT } from 'jose'
import type { Config } from './config/config.js'
import { devSecretsPath } from './config/dev-secrets.js'

/**
 * Outside production with no auth configured, the gateway invents a JWT secret and an operator key
 * (kept in the data directory, src/config/dev-secrets.ts). This prints them, with a ready-made user
 * token and the embedded simulator's address, so Swagger UI and the README's curl lines work at once.
 */
export async function devCredentialsBanner(
  config: Readonly<Config>,
  address: string,
  simulatorUrl?: string,
): Promise<string> {
  const lines = [`privy-gateway listening on ${address}`]
  if (config.docs.enabled) lines.push(`  Swagger UI:   ${address}/docs`)
  const dev = config.auth.devSecrets
  if (dev?.jwtSecret) {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dev-user')
      .setIssuedAt()
      .setExpirationTime('12h')
      .sign(new TextEncoder().encode(dev.jwtSecret))
    lines.push(
      `  Dev user token (sub=dev-user, 12 h; another user: npm run token -- --sub alice):`,
      `    Bearer ${token}`,
    )
  }
  if (dev?.apiKey) lines.push(`  Dev operator key (X-API-Key): ${dev.apiKey}`)
  if (dev) lines.push(`  (dev secrets kept in ${devSecretsPath(config.database.pgliteDataDir)})`)
  if (config.privy.mode === 'embedded') {
    lines.push('  Privy: in-process SIMULATOR (set PRIVY_BASE_URL for a real one)')
    if (simulatorUrl)
      lines.push(`  Simulator:    ${simulatorUrl}  (sent OTP codes: ${simulatorUrl}/__sim/messages)`)
  }
  if (!config.database.url) lines.push(`  Database: embedded PGlite in ${config.database.pgliteDataDir}`)
  return lines.join('\n')
}
