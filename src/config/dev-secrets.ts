import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'

/**
 * The development JWT secret and operator key of the embedded default, kept in the data directory
 * beside the PGlite data and the simulator's state. Kept, not made anew at every start, so a
 * restart is invisible (tokens and the key from before still work) and `npm run token` can mint a
 * token for another user (`--sub alice`) that the running gateway accepts. Never used in
 * production: config.ts makes dev secrets only when no auth is configured outside production.
 */

export const DEV_SECRETS_FILE = 'dev-secrets.json'

const DevSecretsSchema = z.strictObject({ jwtSecret: z.string().min(32), apiKey: z.string().min(32) })
export type DevSecrets = z.infer<typeof DevSecretsSchema>

export const devSecretsPath = (dataDir: string) => join(dataDir, DEV_SECRETS_FILE)

/** The kept secrets, undefined when there are none yet (or the file is not one this wrote). */
export async function readDevSecrets(dataDir: string): Promise<DevSecrets | undefined> {
  let text: string
  try {
    text = await readFile(devSecretsPath(dataDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const parsed = DevSecretsSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** The kept secrets, or new ones written (mode 0600, atomically) for the next start to find. */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const kept = await readDevSecrets(dataDir)
  if (kept) return kept
  const created: DevSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    apiKey: `dev_${randomBytes(24).toString('base64url')}`,
  }
  const file = devSecretsPath(dataDir)
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, `${JSON.stringify(created)}\n`, { mode: 0o600 })
  await rename(temporary, file)
  return created
}
