import { SignJWT } from 'jose'
import type { Config } from './config/config.js'

/**
 * Outside production with no auth configured, the gateway invents a JWT secret and an operator key
 * at start. This prints them once, with a ready-made user token, so Swagger UI can be tried at once.
 */
export async function devCredentialsBanner(config: Readonly<Config>, address: string): Promise<string> {
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
    lines.push(`  Dev user token (sub=dev-user, 12 h; this start only):`, `    Bearer ${token}`)
  }
  if (dev?.apiKey) lines.push(`  Dev operator key (X-API-Key; this start only): ${dev.apiKey}`)
  if (config.privy.mode === 'embedded')
    lines.push('  Privy: in-process SIMULATOR (set PRIVY_BASE_URL for a real one)')
  if (!config.database.url) lines.push(`  Database: embedded PGlite in ${config.database.pgliteDataDir}`)
  return lines.join('\n')
}
