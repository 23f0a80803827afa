import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config/config.js'
import { devCredentialsBanner } from './dev-credentials-banner.js'

// The only module that reads process.env: everything else receives a Config.
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }

  const app = await buildApp(config)
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    app.log.info({ signal }, 'shutting down: no new requests, finishing the ones in flight')
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  await app.listen({ host: config.server.host, port: config.server.port })
  const address = `http://${config.server.host === '0.0.0.0' ? 'localhost' : config.server.host}:${config.server.port}`
  process.stdout.write(`\n${await devCredentialsBanner(config, address)}\n\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `privy-gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  )
  process.exit(1)
})
