import { buildApp } from '../app.js'
import { loadConfig } from '../config/config.js'
import { openDatabase } from '../db/database.js'
import { createLogger } from '../logging.js'
import { simulatorPrivyEnv } from '../simulator/dev-credentials.js'

/**
 * The OpenAPI document as the running gateway serves it, built from the zod route schemas.
 * Uses an in-memory database and a Privy address that is never called.
 */
export async function generateOpenApiDocument(): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...simulatorPrivyEnv('http://127.0.0.1:9'),
  })
  const database = await openDatabase({ pgliteDataDir: 'memory://' })
  try {
    const app = await buildApp(config, { database, logger: createLogger('silent') })
    try {
      return `${JSON.stringify(app.swagger(), null, 2)}\n`
    } finally {
      await app.close()
    }
  } finally {
    await database.close()
  }
}
