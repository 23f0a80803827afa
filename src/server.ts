import { constants } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { embeddedSimulatorUrl, startApp } from './app.js'
import { ConfigError, loadConfig } from './config/config.js'
import { loadOrCreateDevSecrets } from './config/dev-secrets.js'
import { devCredentialsBanner } from './dev-credentials-banner.js'
import { startTracing } from './observability/tracing.js'

/**
 * After SHUTDOWN_GRACE_MS the connections still open are cut (see app.ts); closing the Privy and
 * database clients then gets this much longer before the process gives up on them and exits.
 */
const CLIENT_CLOSE_ALLOWANCE_MS = 5_000

// The only module that reads process.env: everything else receives a Config.
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.env)
    // Dev secrets are kept in the data directory, so a restart keeps tokens valid (dev-secrets.ts).
    if (config.auth.devSecrets) {
      config = loadConfig(process.env, await loadOrCreateDevSecrets(config.database.pgliteDataDir))
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }

  const { endpoint, serviceName } = config.tracing
  const tracing = endpoint === undefined ? undefined : startTracing({ endpoint, serviceName })
  const { app, started } = await startApp(config)
  exitOnSignals(app, config.server.shutdownGraceMs, () => tracing?.shutdown())

  // Listening before the database is open: /health/live answers at once, /health/ready once started.
  await app.listen({ host: config.server.host, port: config.server.port })
  const address = `http://${config.server.host === '0.0.0.0' ? 'localhost' : config.server.host}:${config.server.port}`
  process.stdout.write(`\n${await devCredentialsBanner(config, address, embeddedSimulatorUrl(app))}\n\n`)
  app.log.info({ sinceProcessStartMs: Math.round(performance.now()) }, 'listening; the database is opening')
  started.then(
    () => app.log.info({ sinceProcessStartMs: Math.round(performance.now()) }, 'ready: the database is open'),
    async (error: unknown) => {
      process.stderr.write(
        `privy-gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
      )
      await app.close().catch(() => undefined)
      process.exit(1)
    },
  )
}

/**
 * SIGTERM or SIGINT: stop accepting, let the requests in flight and the sweeps in hand finish,
 * then close the Privy and database clients, and exit 0. The drain has `graceMs`: when requests
 * had to be cut at its end the exit code is 1, and so it is when closing still hangs after the
 * allowance. A second signal while draining exits at once, with 128 + the signal's number, as a
 * shell reports a process killed by it.
 */
function exitOnSignals(
  app: FastifyInstance,
  graceMs: number,
  /** Flushes what must not be lost (the last spans) once the app has closed. */
  flush: () => Promise<void> | undefined,
): void {
  let drainingSince: number | undefined
  const shutdown = (signal: NodeJS.Signals) => {
    if (drainingSince !== undefined) {
      app.log.warn(
        { signal, drainingMs: Date.now() - drainingSince },
        'second signal while shutting down: exiting now, abandoning the work in flight',
      )
      process.exit(128 + (constants.signals[signal] ?? 0))
    }
    drainingSince = Date.now()
    const started = drainingSince
    // The server closes when its last connection does: after the budget only if some were cut.
    let serverClosedMs: number | undefined
    app.server.once('close', () => {
      serverClosedMs = Date.now() - started
    })
    app.log.info(
      { signal, graceMs },
      'shutting down: refusing new requests, finishing those in flight (a second signal exits at once)',
    )
    // Not unref'd: a close that stalls with nothing else pending must still end in exit 1, not 0.
    setTimeout(() => {
      app.log.error(
        { drainingMs: Date.now() - started },
        'shutdown did not finish within its budget: exiting anyway',
      )
      process.exit(1)
    }, graceMs + CLIENT_CLOSE_ALLOWANCE_MS)
    app.close().then(
      async () => {
        await flush()?.catch(() => undefined)
        const drainingMs = Date.now() - started
        const cut = serverClosedMs === undefined || serverClosedMs >= graceMs
        if (cut) app.log.warn({ drainingMs }, 'shut down, after cutting requests that outlived the budget')
        else app.log.info({ drainingMs }, 'shut down cleanly')
        process.exit(cut ? 1 : 0)
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `privy-gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  )
  process.exit(1)
})
