// `npm run pii:rotate`: re-seals every NIK, date of birth, Privy register and document token, stored
// Privy callback and webhook secret under PII_ENCRYPTION_KEY. Run it after making a new key active and moving the old one into
// PII_ENCRYPTION_PREVIOUS_KEYS (gateways keep serving: they open both); when it reports nothing left,
// remove the old key. Safe to stop and run again.
import { loadConfig } from '../config/config.js'
import { dataMigrations } from '../db/data-migrations.js'
import { openDatabase } from '../db/database.js'
import { allResealers, rotatePiiKeys } from '../jobs/pii-rotation.js'
import { piiCipherOf } from '../lib/pii-crypto.js'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const pii = piiCipherOf(config.pii)
  const database = await openDatabase({
    databaseUrl: config.database.url,
    pgliteDataDir: config.database.pgliteDataDir,
  })
  try {
    if (database.kind === 'pglite') await database.migrate({ hooks: dataMigrations(() => pii) })
    process.stdout.write(`re-sealing under key ${pii.activeKeyId}\n`)
    const totals = await rotatePiiKeys(allResealers(database, pii), (name, count) =>
      process.stdout.write(`  ${name}: ${count} re-sealed\n`),
    )
    for (const [name, total] of Object.entries(totals)) process.stdout.write(`${name}: ${total} in all\n`)
    process.stdout.write('done: every sealed value is under the active key\n')
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
