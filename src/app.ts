import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import sharp from 'sharp'
import { type Config, inFlightBudgetMs as inFlightBudget } from './config/config.js'
import { dataMigrations } from './db/data-migrations.js'
import { type Database, openDatabaseInBackground } from './db/database.js'
import { logMigrationProblem } from './db/migration-status.js'
import { createClientErrorHandler, headersTimeoutOptions } from './errors/client-error.js'
import { handleFrameworkError, installErrorHandling } from './errors/error-handler.js'
import { createHousekeeping } from './jobs/housekeeping.js'
import { createPoller } from './jobs/poller.js'
import { createReconciler } from './jobs/reconciler.js'
import { createAnswerKeeper } from './lib/answer-keeper.js'
import { type BackgroundLoopOptions, startBackgroundLoop } from './lib/background-loop.js'
import { piiCipherOf } from './lib/pii-crypto.js'
import { createLogger } from './logging.js'
import {
  createDirectoryStore,
  createDocumentLifecycle,
  createDocumentRepository,
  createDocumentService,
  createDocumentSigning,
  createDocumentSync,
  documentRoutes,
  type SignedPdfStore,
} from './modules/documents/index.js'
import { createIdempotencyRepository, createIdempotencyService } from './modules/idempotency/index.js'
import { createLimitsRepository, createLimitsService, createOtpLimits } from './modules/limits/index.js'
import { createOtpRepository, createOtpService, otpRoutes } from './modules/otp/index.js'
import {
  callbackRoutes,
  createCallbackRepository,
  createCallbackService,
} from './modules/privy-callbacks/index.js'
import {
  createRegistrationApi,
  createRegistrationRepository,
  createRegistrationService,
  registrationRoutes,
} from './modules/registration/index.js'
import { createWebhookModule, webhookRoutes } from './modules/webhooks/index.js'
import { createMetrics, type GatewayMetrics } from './observability/metrics.js'
import { observabilityPlugin } from './observability/plugin.js'
import { tracePrivy, traceRequests } from './observability/tracing.js'
import { createPdfPool } from './pdf-worker/pool.js'
import { authPlugin } from './plugins/auth.js'
import { installGracefulClose } from './plugins/graceful-close.js'
import { healthRoutes, migrationsCheck } from './plugins/health.js'
import { installRequestBudget } from './plugins/request-budget.js'
import { essentialSecurityHeaders, securityPlugin } from './plugins/security.js'
import { installStartupGate } from './plugins/startup.js'
import { registerSwagger } from './plugins/swagger.js'
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

// No run of 10 digits: a NIK or a phone number sent as a request id would be echoed and logged.
const REQUEST_ID = /^(?!.*\d{10})[\w.:-]{8,128}$/

/** Builds the gateway from a config object, ready to serve; nothing here reads process.env. */
export async function buildApp(
  config: Readonly<Config>,
  overrides: AppOverrides = {},
): Promise<FastifyInstance> {
  const { app, started } = await startApp(config, overrides)
  try {
    await started
  } catch (error) {
    await app.close().catch(() => undefined)
    throw error
  }
  return app
}

/**
 * The gateway with every route, before its own database is open and migrated: `started` resolves
 * once it is, and until then only /health answers (src/plugins/startup.ts). server.ts listens at once.
 */
export async function startApp(
  config: Readonly<Config>,
  overrides: AppOverrides = {},
): Promise<{ app: FastifyInstance; started: Promise<void> }> {
  // Identity photos are checked once and forgotten: libvips keeps no cache of them.
  sharp.cache(false)
  const logger: FastifyBaseLogger = overrides.logger ?? createLogger(config.log.level)
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    // A caller's X-Request-ID is kept when it looks like one, so traces join up across systems.
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    bodyLimit: 1024 * 1024,
    // request.ip, which the per-address OTP limits count by, believes X-Forwarded-For only from these.
    trustProxy: trustProxyOption(config.server.trustProxy),
    handlerTimeout: config.server.requestTimeoutMs,
    // A URL the router cannot read (bad percent-encoding, an overlong id) is a problem too; no hook
    // runs for it, so it gets its headers here.
    frameworkErrors: (error, request, reply) => {
      reply.headers({ ...essentialSecurityHeaders(config.security), 'x-request-id': request.id })
      return handleFrameworkError(error, request, reply)
    },
    // Fastify's own 503 while closing is plain JSON without Retry-After: installGracefulClose answers.
    return503OnClosing: false,
    // Node's own 400/408/431, before there is a request, are problems too.
    clientErrorHandler: createClientErrorHandler(essentialSecurityHeaders(config.security)),
    http: headersTimeoutOptions(config.server.headersTimeoutMs),
  })
  // Traces are exported by server.ts (startTracing); the app only makes its spans.
  const tracing = config.tracing.endpoint !== undefined
  if (tracing) traceRequests(app)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  // First of the hooks: every answer (a 401, a 404, a draining 503) carries the security headers.
  await app.register(securityPlugin, { security: config.security })
  installRequestBudget(app, config.server.requestTimeoutMs)
  const shutdown = installGracefulClose(app, config.server.shutdownGraceMs)
  installErrorHandling(app)
  // Before the routes, whose requests it measures.
  const metrics = createMetrics()
  await app.register(observabilityPlugin, { metrics, listen: config.metrics })

  const closers: Array<() => Promise<void>> = []
  app.addHook('onClose', async () => {
    for (const close of closers.reverse()) await close()
  })

  try {
    const own: OwnDatabase = overrides.database
      ? { database: overrides.database, started: Promise.resolve() }
      : openOwnDatabase(config, closers)
    const { database } = own
    const started = own.started.then(() => logMigrationProblem(() => database.migrationStatus(), app.log))
    const startup = installStartupGate(app, started)
    // Privy's answers the database could not take. Closed after the Privy client (whose late answers
    // may still hand it some) and before the database (its last try writes there).
    const answers = createAnswerKeeper({ logger: app.log })
    closers.push(() => answers.close())
    const untracedPrivy = overrides.privy ?? (await openOwnPrivyClient(config, app, closers, metrics))
    const privy = tracing ? tracePrivy(untracedPrivy) : untracedPrivy
    const now = overrides.now ?? (() => new Date())
    const pii = piiCipherOf(config.pii)
    const inFlightBudgetMs = inFlightBudget({
      requestTimeoutMs: config.server.requestTimeoutMs,
      privyTimeoutMs: config.privy.timeoutMs,
      uploadTimeoutMs: config.privy.uploadTimeoutMs,
    })
    if (config.pii.usingDevKeys) {
      app.log.warn('PII_ENCRYPTION_KEY / PII_LOOKUP_KEY not set: using the published DEV keys')
    }
    const idempotency = createIdempotencyService({
      repository: createIdempotencyRepository(database.prisma),
      now,
      ttlHours: config.idempotency.ttlHours,
      leaseMs: config.server.requestTimeoutMs + 5_000,
      fingerprint: (content) => pii.lookupHash('idempotency', content),
    })
    idempotency.install(app)

    await registerSwagger(app, { ui: config.docs.enabled })
    await app.register(authPlugin, { auth: config.auth })
    await app.register(healthRoutes, {
      isDraining: shutdown.isDraining,
      checks: {
        startup,
        database: () => database.ping(),
        migrations: migrationsCheck(() => database.migrationStatus()),
        privy: config.privy.mode === 'remote' ? async () => void (await privy.getAccessToken()) : undefined,
      },
    })

    const registrations = createRegistrationRepository(database.prisma, pii)
    const registrationApi = createRegistrationApi(registrations)
    const registrationService = createRegistrationService({
      repository: registrations,
      privy,
      now,
      refreshAfterSeconds: config.registration.refreshAfterSeconds,
      imageLimits: config.registration,
      merchantRaEnabled: config.privy.merchantRaEnabled,
      pii,
      lateAnswerMs: config.privy.lateAnswerMs,
      inFlightBudgetMs,
      answers,
    })
    await app.register(registrationRoutes, {
      service: registrationService,
      idempotency,
      imageLimits: config.registration,
    })
    const documents = createDocumentRepository(database.prisma, pii)
    // Every PDF the gateway reads is read here, in worker threads; closed after the requests drain.
    const pdf = createPdfPool({
      ...config.pdf,
      limits: { maxPages: config.documents.maxPages, maxObjects: config.documents.maxObjects },
      logger: app.log,
    })
    closers.push(() => pdf.close())
    const otps = createOtpRepository(database.prisma)
    const documentSync = createDocumentSync({
      documents,
      privy,
      now,
      refreshAfterSeconds: config.registration.refreshAfterSeconds,
    })
    await app.register(documentRoutes, {
      service: createDocumentService({
        documents,
        registrations: registrationApi,
        privy,
        sync: documentSync,
        now,
        pii,
        pdf,
        lateAnswerMs: config.privy.lateAnswerMs,
        inFlightBudgetMs,
        answers,
      }),
      idempotency,
      lifecycle: createDocumentLifecycle({
        documents,
        privy,
        sync: documentSync,
        store: overrides.signedPdfStore ?? createDirectoryStore(config.documents.signedPdfStoreDir),
        pdf,
        now,
        lateAnswerMs: config.privy.lateAnswerMs,
        inFlightBudgetMs,
      }),
      limits: { maxBytes: config.documents.maxBytes, maxMetadataBytes: 64 * 1024 },
    })
    const limits = createLimitsService({ repository: createLimitsRepository(database.prisma), pii, now })
    const otpLimits = createOtpLimits(
      limits,
      {
        sendsPerUserPerHour: config.abuse.otpSendsPerUserPerHour,
        sendsPerPhonePerHour: config.abuse.otpSendsPerPhonePerHour,
        sendsPerPhonePerDay: config.abuse.otpSendsPerPhonePerDay,
        sendsPerPhoneBlockPerHour: config.abuse.otpSendsPerPhoneBlockPerHour,
        sendsPerIpPerHour: config.abuse.otpSendsPerIpPerHour,
        sendsPerEmailPerHour: config.abuse.otpSendsPerEmailPerHour,
        sendsPerEmailPerDay: config.abuse.otpSendsPerEmailPerDay,
        sendsPerMerchantPerDay: config.abuse.otpDailyBudget,
      },
      app.log,
    )
    metrics.watch({
      prisma: database.prisma,
      pdf: () => pdf.stats(),
      databasePool: database.poolStats,
      otpBudget: { spent: otpLimits.spentToday, budget: config.abuse.otpDailyBudget },
      now,
    })
    const callbackRepository = createCallbackRepository(database.prisma)
    const callbacks = createCallbackService({
      repository: callbackRepository,
      registrations: registrationService,
      documents: documentSync,
      pii,
      credentials: config.privy.credentials,
      limits,
      rejected: {
        storedPerAddressPerHour: config.callbacks.rejectedStoredPerAddressPerHour,
        storedPerHour: config.callbacks.rejectedStoredPerHour,
      },
      now,
    })
    await app.register(callbackRoutes, { service: callbacks })
    await app.register(otpRoutes, {
      service: createOtpService({
        otps,
        registrations: registrationApi,
        signing: createDocumentSigning({ documents, sync: documentSync, now }),
        privy,
        now,
        lateAnswerMs: config.privy.lateAnswerMs,
        inFlightBudgetMs,
        limits: otpLimits,
      }),
      idempotency,
    })
    const webhooks = createWebhookModule({
      prisma: database.prisma,
      pii,
      settings: config.webhooks,
      now,
      logger: app.log,
    })
    closers.push(() => webhooks.close())
    await app.register(webhookRoutes, { service: webhooks.service })
    // Background work (docs/flows.md#unknown-outcomes). Every loop leases its rows in the database, so any number of
    // instances may run them; they stop (finishing the sweep in hand) before the clients close.
    const loops: BackgroundLoopOptions[] = [
      {
        name: 'reconciler',
        intervalMs: config.jobs.reconcileIntervalMs,
        logger: app.log,
        sweep: createReconciler({
          registrations,
          documents,
          otps,
          now,
          logger: app.log,
          inFlightBudgetMs,
          settleBoundMs: config.jobs.unknownSettleMinutes * 60_000,
        }).sweep,
      },
      {
        name: 'poller',
        intervalMs: config.jobs.pollIntervalMs,
        logger: app.log,
        sweep: createPoller({
          registrations,
          registrationService,
          documents,
          documentSync,
          now,
          logger: app.log,
          staleAfterMs: config.jobs.pollStaleAfterSeconds * 1000,
        }).sweep,
      },
      {
        name: 'housekeeping',
        intervalMs: config.jobs.housekeepingIntervalMs,
        logger: app.log,
        sweep: createHousekeeping({
          purgeExpiredIdempotencyKeys: idempotency.purgeExpired,
          registrations,
          callbacks: callbackRepository,
          now,
          logger: app.log,
          retentionDays: config.pii.retentionDays,
          rejectedCallbackRetentionHours: config.callbacks.rejectedRetentionHours,
        }).sweep,
      },
    ]
    loops.push(...webhooks.loops)
    // Abuse-limit counters whose window has ended, in batches until none is left.
    loops.push({
      name: 'rate-limit-purge',
      intervalMs: config.jobs.housekeepingIntervalMs,
      sweep: () => limits.purgeExpired(),
      logger: app.log,
    })
    loops.push({
      name: 'privy-callbacks',
      intervalMs: config.jobs.callbackApplyIntervalMs,
      sweep: () => callbacks.sweep(app.log),
      logger: app.log,
    })
    if (config.jobs.enabled) {
      // The loops sweep the database: they start once it is migrated, unless the app closed first.
      let running: Array<ReturnType<typeof startBackgroundLoop>> = []
      let closing = false
      started.then(
        () => {
          if (!closing) running = loops.map((loop) => startBackgroundLoop(loop))
        },
        () => undefined,
      )
      // Stopping starts with the close, so the sweeps in hand finish alongside the requests in
      // flight, within the same budget; the clients close only once both are done.
      let stopping: Promise<unknown> | undefined
      const stop = () => {
        closing = true
        stopping ??= Promise.all(running.map((loop) => loop.stop()))
        return stopping
      }
      app.addHook('preClose', async () => void stop())
      closers.push(async () => void (await stop()))
    }
    await app.ready()
    return { app, started }
  } catch (error) {
    await app.close().catch(() => undefined)
    throw error
  }
}

/** TRUST_PROXY as Fastify takes it: a hop count trusts that many hops nearest the gateway. */
function trustProxyOption(
  trust: boolean | number | readonly string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust
  // The config is frozen; Fastify gets its own copy of the list.
  return typeof trust === 'boolean' ? trust : [...trust]
}

interface OwnDatabase {
  database: Database
  /** Resolves once the database is open and, for PGlite, migrated. */
  started: Promise<void>
}

function openOwnDatabase(config: Readonly<Config>, closers: Array<() => Promise<void>>): OwnDatabase {
  const { database, opened } = openDatabaseInBackground({
    databaseUrl: config.database.url,
    pgliteDataDir: config.database.pgliteDataDir,
    // A new data directory starts from a migrated template instead of initdb (pglite-template.ts).
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

async function openOwnPrivyClient(
  config: Readonly<Config>,
  app: FastifyInstance,
  closers: Array<() => Promise<void>>,
  metrics: GatewayMetrics,
): Promise<PrivyClient> {
  let baseUrl = config.privy.baseUrl
  if (config.privy.mode === 'embedded') {
    const simulator = await startSimulator({ host: '127.0.0.1', port: 0 })
    closers.push(() => simulator.close())
    baseUrl = simulator.url
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
