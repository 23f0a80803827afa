import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import sharp from 'sharp'
import type { Config } from './config/config.js'
import { keepRecordCachesCurrent } from './db/record-cache-listener.js'
import { createFastify, installHttpBasics } from './http/fastify.js'
import { createJobLoops } from './jobs/index.js'
import { startBackgroundLoop } from './lib/background-loop.js'
import { createLogger } from './logging.js'
import { createDocumentsModule, openPdfFiles } from './modules/documents/index.js'
import { createIdempotencyModule } from './modules/idempotency/index.js'
import { createLimitsModule } from './modules/limits/index.js'
import { createOtpModule } from './modules/otp/index.js'
import { createPrivyCallbacksModule } from './modules/privy-callbacks/index.js'
import { createRegistrationModule } from './modules/registration/index.js'
import { createTemplatesModule } from './modules/templates/index.js'
import { createWebhooksModule } from './modules/webhooks/index.js'
import { type AppOverrides, type Closers, openContext } from './open-context.js'
import { authPlugin } from './plugins/auth.js'
import { healthRoutes, migrationsCheck } from './plugins/health.js'
import { installStartupGate } from './plugins/startup.js'
import { registerSwagger } from './plugins/swagger.js'

export type { AppOverrides } from './open-context.js'
export { embeddedSimulatorUrl } from './open-context.js'

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
  const logger: FastifyBaseLogger =
    overrides.logger ?? createLogger(config.log.level, undefined, { bufferBytes: config.log.bufferBytes })
  const app = createFastify(config, logger)
  const { tracing, shutdown, metrics } = await installHttpBasics(app, config)

  const closers: Closers = []
  app.addHook('onClose', async () => {
    for (const close of closers.reverse()) await close()
  })

  try {
    const { ctx, started } = await openContext(config, app, { overrides, closers, metrics, tracing })
    const startup = installStartupGate(app, started)
    const { database, privy } = ctx
    // Each module is built over the shared context and what the modules before it offer.
    const idempotency = createIdempotencyModule(ctx)
    const registrations = createRegistrationModule(ctx, { idempotency: idempotency.api })
    // The PDF worker pool and store, shared by templates and documents (which closes them).
    const files = openPdfFiles(ctx, overrides.signedPdfStore)
    const templates = createTemplatesModule(ctx, { idempotency: idempotency.api, files })
    const documents = createDocumentsModule(ctx, {
      idempotency: idempotency.api,
      registrations: registrations.api,
      files,
      templates: templates.api.source,
    })
    const limits = createLimitsModule(ctx)
    const callbacks = createPrivyCallbacksModule(ctx, {
      registrations: registrations.api,
      documents: documents.api,
      limits: limits.api,
    })
    const otp = createOtpModule(ctx, {
      idempotency: idempotency.api,
      registrations: registrations.api,
      documents: documents.api,
      limits: limits.api,
    })
    const webhooks = createWebhooksModule(ctx)
    const modules = [idempotency, registrations, templates, documents, limits, callbacks, otp, webhooks]
    for (const module of modules) closers.push(() => module.close())
    // The caches stay off until the database is open and its change notifications are heard.
    const listening = started.then(() =>
      keepRecordCachesCurrent(database, {
        registrations: registrations.api.recordCache,
        documents: documents.api.recordCache,
      }),
    )
    closers.push(async () => (await listening.catch(() => undefined))?.())

    await app.register(idempotency.routes)
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
    // In this order in the OpenAPI document.
    for (const module of [registrations, documents, templates, callbacks, otp, webhooks])
      await app.register(module.routes)
    metrics.watch({
      prisma: database.prisma,
      pdf: documents.api.pdfStats,
      databasePool: database.poolStats,
      otpBudget: { spent: limits.api.otp.spentToday, budget: config.abuse.otpDailyBudget },
      now: ctx.now,
    })

    // Background work (docs/flows.md#unknown-outcomes). Every loop leases its rows in the database, so any number of
    // instances may run them; they stop (finishing the sweep in hand) before the clients close.
    const loops = [
      ...createJobLoops(ctx, {
        registrations: registrations.api.jobs,
        documents: documents.api.jobs,
        otps: otp.api.jobs,
        callbacks: callbacks.api.jobs,
        purgeExpiredIdempotencyKeys: idempotency.api.purgeExpired,
      }),
      ...webhooks.loops,
      ...limits.loops,
      ...callbacks.loops,
    ]
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
