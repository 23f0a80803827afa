import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { type Config, inFlightBudgetMs } from './config/config.js'
import { dataMigrations } from './db/data-migrations.js'
import { type Database, openDatabaseInBackground } from './db/database.js'
import { logMigrationProblem } from './db/migration-status.js'
import { createAnswerKeeper } from './lib/answer-keeper.js'
import { piiCipherOf } from './lib/pii-crypto.js'
import type { ModuleContext } from './modules/context.js'
import type { SignedPdfStore } from './modules/documents/index.js'
import type { GatewayMetrics } from './observability/metrics.js'
import { tracePrivy } from './observability/tracing.js'
import { createPrivyClient, type PrivyClient } from './privy/index.js'
import { startSimulator } from './simulator/index.js'

export interface AppOverrides {
  /** An open database; the app then neither migrates nor closes it. */
  database?: Database
  privy?: PrivyClient
  logger?: Logger
  now?: () => Date
  signedPdfStore?: SignedPdfStore
}

/** What closes on shutdown, run in reverse order of opening. */
export type Closers = Array<() => Promise<void>>

/**
 * Opens what every module shares: the database (migrated when it is the embedded PGlite), the
 * answer keeper, and the Privy client (the in-process simulator when PRIVY_BASE_URL is not set).
 * `started` resolves once the database is open and migrated; until then only /health answers.
 */
export async function openContext(
  config: Readonly<Config>,
  app: FastifyInstance,
  parts: { overrides: AppOverrides; closers: Closers; metrics: GatewayMetrics; tracing: boolean },
): Promise<{ ctx: ModuleContext; started: Promise<void> }> {
  const { overrides, closers, metrics } = parts
  const own: OwnDatabase = overrides.database
    ? { database: overrides.database, started: Promise.resolve() }
    : openOwnDatabase(config, closers)
  const { database } = own
  const started = own.started.then(() => logMigrationProblem(() => database.migrationStatus(), app.log))
  // Its consumers hear a failure; a throw below, before any of them is attached, must not leave it unhandled.
  started.catch(() => undefined)
  // Privy's answers the database could not take. Closed after the Privy client (whose late answers
  // may still hand it some) and before the database (its last try writes there).
  const answers = createAnswerKeeper({ logger: app.log })
  closers.push(() => answers.close())
  const untracedPrivy = overrides.privy ?? (await openOwnPrivyClient(config, app, closers, metrics))
  if (config.pii.usingDevKeys) {
    app.log.warn('PII_ENCRYPTION_KEY / PII_LOOKUP_KEY not set: using the published DEV keys')
  }
  const ctx: ModuleContext = {
    config,
    database,
    privy: parts.tracing ? tracePrivy(untracedPrivy) : untracedPrivy,
    now: overrides.now ?? (() => new Date()),
    logger: app.log,
    metrics,
    pii: piiCipherOf(config.pii),
    answers,
    inFlightBudgetMs: inFlightBudgetMs({
      requestTimeoutMs: config.server.requestTimeoutMs,
      privyTimeoutMs: config.privy.timeoutMs,
      uploadTimeoutMs: config.privy.uploadTimeoutMs,
    }),
  }
  return { ctx, started }
}

interface OwnDatabase {
  database: Database
  /** Resolves once the database is open and, for PGlite, migrated. */
  started: Promise<void>
}

/**
 * The database at once, opening in the background (src/plugins/startup.ts): a new PGlite data
 * directory starts from a migrated template instead of initdb (src/db/pglite-template.ts).
 */
function openOwnDatabase(config: Readonly<Config>, closers: Closers): OwnDatabase {
  const { database, opened } = openDatabaseInBackground({
    databaseUrl: config.database.url,
    pgliteDataDir: config.database.pgliteDataDir,
    pgliteStartMigrated: true,
    poolSize: config.database.poolSize,
  })
  closers.push(() => database.close())
  // PGlite is the embedded default: it migrates itself so `npm start` needs nothing else.
  const started = opened.then(async () => {
    if (database.kind === 'pglite')
      await database.migrate({ hooks: dataMigrations(() => piiCipherOf(config.pii)) })
  })
  return { database, started }
}

const embeddedSimulators = new WeakMap<FastifyInstance, string>()

/** The in-process simulator's address, for the start banner; undefined with a real Privy. */
export function embeddedSimulatorUrl(app: FastifyInstance): string | undefined {
  return embeddedSimulators.get(app)
}

/** On SIMULATOR_PORT, or on a free port when that one is taken (another gateway, a test run). */
async function startEmbeddedSimulator(config: Readonly<Config>, app: FastifyInstance) {
  const options = {
    host: '127.0.0.1',
    stateFile: config.privy.simulatorStateFile,
    onStateWarning: (message: string, details?: Record<string, unknown>) =>
      app.log.warn({ simulator: details }, message),
  }
  try {
    return await startSimulator({ ...options, port: config.privy.simulatorPort })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    return startSimulator({ ...options, port: 0 })
  }
}

async function openOwnPrivyClient(
  config: Readonly<Config>,
  app: FastifyInstance,
  closers: Closers,
  metrics: GatewayMetrics,
): Promise<PrivyClient> {
  let baseUrl = config.privy.baseUrl
  if (config.privy.mode === 'embedded') {
    const simulator = await startEmbeddedSimulator(config, app)
    closers.push(() => simulator.close())
    embeddedSimulators.set(app, simulator.url)
    baseUrl = simulator.url
    // A fresh simulator beside a database with rows means those rows name registrations it never saw.
    app.log.info(
      { stateFile: config.privy.simulatorStateFile, restored: simulator.restored },
      simulator.restored
        ? 'the in-process Privy simulator restored its state from the data directory'
        : 'the in-process Privy simulator starts empty (no saved state in the data directory)',
    )
    // The in-process Privy calls back this gateway once it knows where it listens.
    app.addHook('onListen', async () => {
      const address = app.server.address()
      if (address && typeof address === 'object') {
        simulator.state.settings.callbackUrl = `http://127.0.0.1:${address.port}/v1/privy/callbacks`
      }
    })
    app.log.warn(
      { simulator: simulator.url },
      'PRIVY_BASE_URL is not set: using the in-process Privy SIMULATOR. Nothing reaches real Privy.',
    )
  }
  if (!baseUrl) throw new Error('PRIVY_BASE_URL is required')
  const { credentials } = config.privy
  const privy = createPrivyClient({
    baseUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    channelId: credentials.channelId,
    enterprisePrivyId: credentials.enterprisePrivyId,
    enterpriseToken: credentials.enterpriseToken,
    timeoutMs: config.privy.timeoutMs,
    uploadTimeoutMs: config.privy.uploadTimeoutMs,
    lateAnswerMs: config.privy.lateAnswerMs,
    connectTimeoutMs: config.privy.connectTimeoutMs,
    onAttempt: (event) => {
      app.log.debug({ privy: event }, 'privy call')
      metrics.observePrivyAttempt(event)
    },
    onLateAnswerError: (error, operation) =>
      app.log.error({ err: error, operation }, "Privy's late answer could not be recorded"),
  })
  closers.push(() => privy.close())
  return privy
}
