// `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or else to the PGlite
// database in PGLITE_DATA_DIR (default ./data), the same one the gateway opens by default. Steps that
// SQL cannot do run between them (data-migrations.ts): sealing clear Privy tokens needs
// PII_ENCRYPTION_KEY (the dev key outside production), asked for only when there is one to seal.
import { loadPiiKeys } from '../config/config.js'
import { dataMigrations } from '../db/data-migrations.js'
import { openDatabase } from '../db/database.js'
import { piiCipherOf } from '../lib/pii-crypto.js'

function describeTarget(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `PGlite at ${dataDir}`
  if (!URL.canParse(databaseUrl)) return 'PostgreSQL (DATABASE_URL)'
  const url = new URL(databaseUrl)
  return `PostgreSQL ${url.host}${url.pathname}`
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined
  const pgliteDataDir = process.env.PGLITE_DATA_DIR || './data'
  const target = describeTarget(databaseUrl, pgliteDataDir)
  const database = await openDatabase({ databaseUrl, pgliteDataDir })
  try {
    const { applied } = await database.migrate({
      hooks: dataMigrations(() => piiCipherOf(loadPiiKeys(process.env))),
    })
    for (const name of applied) process.stdout.write(`applied ${name}\n`)
    process.stdout.write(
      applied.length === 0
        ? `${target} is up to date\n`
        : `${applied.length} migration(s) applied to ${target}\n`,
    )
  } catch (error) {
    throw new Error(`migrating ${target} failed: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
