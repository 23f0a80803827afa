// `npm run token -- --sub alice [--ttl 12h]`: prints a user JWT (and nothing else, so
// `TOKEN=$(npm run --silent token -- --sub alice)` works) that the gateway on its embedded defaults
// accepts: signed with AUTH_JWT_SECRET when set, else with the dev secret `npm start` keeps in
// PGLITE_DATA_DIR (src/config/dev-secrets.ts). A second signer, an uploader and a stranger are
// each one command away.
import { parseArgs } from 'node:util'
import { SignJWT } from 'jose'
import { devSecretsPath, readDevSecrets } from '../config/dev-secrets.js'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sub: { type: 'string' }, ttl: { type: 'string', default: '12h' } },
    strict: true,
  })
  const sub = values.sub?.trim()
  if (!sub) throw new Error('usage: npm run token -- --sub <user id> [--ttl 12h]')
  const dataDir = process.env.PGLITE_DATA_DIR || './data'
  const secret = process.env.AUTH_JWT_SECRET || (await readDevSecrets(dataDir))?.jwtSecret
  if (!secret) {
    throw new Error(
      `no AUTH_JWT_SECRET and no ${devSecretsPath(dataDir)}: start the gateway once (npm start), which makes it`,
    )
  }
  let token = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt()
  if (process.env.AUTH_JWT_ISSUER) token = token.setIssuer(process.env.AUTH_JWT_ISSUER)
  if (process.env.AUTH_JWT_AUDIENCE) token = token.setAudience(process.env.AUTH_JWT_AUDIENCE)
  const signed = await token.setExpirationTime(values.ttl).sign(new TextEncoder().encode(secret))
  process.stdout.write(`${signed}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
