import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import sharp from 'sharp'
import type { Config } from './config/config.js'
import { type Database, openDatabase } from './db/database.js'
import { installErrorHandling } from './errors/error-handler.js'
import { createLogger } from './logging.js'
import { createDocumentLifecycle } from './modules/documents/documents.lifecycle.js'
import { createDocumentRepository } from './modules/documents/documents.repository.js'
import { documentRoutes } from './modules/documents/documents.routes.js'
import { createDocumentService } from './modules/documents/documents.service.js'
import { createDocumentSync } from './modules/documents/documents.sync.js'
import { createDirectoryStore, type SignedPdfStore } from './modules/documents/signed-pdf-store.js'
import { createOtpRepository } from './modules/otp/otp.repository.js'
import { otpRoutes } from './modules/otp/otp.routes.js'
import { createOtpService } from './modules/otp/otp.service.js'
import { callbackRoutes } from './modules/privy-callbacks/callback.routes.js'
import { createCallbackService } from './modules/privy-callbacks/callback.service.js'
import { createRegistrationRepository } from './modules/registration/registration.repository.js'
import { registrationRoutes } from './modules/registration/registration.routes.js'
import { createRegistrationService } from './modules/registration/registration.service.js'
import { authPlugin } from './plugins/auth.js'
import { healthRoutes } from './plugins/health.js'
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

const REQUEST_ID = /^[\w.:-]{8,128}$/

/** Builds the gateway from a config object; nothing here reads process.env. */
export async function buildApp(
  config: Readonly<Config>,
  overrides: AppOverrides = {},
): Promise<FastifyInstance> {
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
    handlerTimeout: config.server.requestTimeoutMs,
    return503OnClosing: true,
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  installErrorHandling(app)

  const closers: Array<() => Promise<void>> = []
  // Graceful close: in-flight requests finish, but a connection that never goes idle (a client
  // that opened a socket and went quiet) cannot hold the shutdown beyond its budget.
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), config.server.shutdownGraceMs).unref()
  })
  app.addHook('onClose', async () => {
    for (const close of closers.reverse()) await close()
  })

  try {
    const database = overrides.database ?? (await openOwnDatabase(config, closers))
    const privy = overrides.privy ?? (await openOwnPrivyClient(config, app, closers))
    const now = overrides.now ?? (() => new Date())

    await registerSwagger(app)
    await app.register(authPlugin, { auth: config.auth })
    await app.register(healthRoutes, {
      checks: {
        database: () => database.ping(),
        privy: config.privy.mode === 'remote' ? async () => void (await privy.getAccessToken()) : undefined,
      },
    })

    const registrations = createRegistrationRepository(database.prisma)
    const registrationService = createRegistrationService({
      repository: registrations,
      privy,
      now,
      refreshAfterSeconds: config.registration.refreshAfterSeconds,
      imageLimits: config.registration,
      merchantRaEnabled: config.privy.merchantRaEnabled,
    })
    await app.register(registrationRoutes, { service: registrationService, imageLimits: config.registration })
    const documents = createDocumentRepository(database.prisma)
    const documentSync = createDocumentSync({
      documents,
      privy,
      now,
      refreshAfterSeconds: config.registration.refreshAfterSeconds,
    })
    await app.register(documentRoutes, {
      service: createDocumentService({ documents, registrations, privy, sync: documentSync, now }),
      lifecycle: createDocumentLifecycle({
        documents,
        privy,
        sync: documentSync,
        store: overrides.signedPdfStore ?? createDirectoryStore(config.documents.signedPdfStoreDir),
        now,
      }),
      limits: { maxBytes: config.documents.maxBytes, maxMetadataBytes: 64 * 1024 },
    })
    await app.register(callbackRoutes, {
      service: createCallbackService({ registrations: registrationService, documents: documentSync }),
      credentials: config.privy.credentials,
      now,
    })
    await app.register(otpRoutes, {
      service: createOtpService({
        otps: createOtpRepository(database.prisma),
        registrations,
        documents,
        documentSync,
        privy,
        now,
      }),
    })
    await app.ready()
    return app
  } catch (error) {
    await app.close().catch(() => undefined)
    throw error
  }
}

async function openOwnDatabase(
  config: Readonly<Config>,
  closers: Array<() => Promise<void>>,
): Promise<Database> {
  const database = await openDatabase({
    databaseUrl: config.database.url,
    pgliteDataDir: config.database.pgliteDataDir,
    poolSize: config.database.poolSize,
  })
  closers.push(() => database.close())
  // PGlite is the embedded default: it migrates itself so `npm start` needs nothing else.
  if (database.kind === 'pglite') await database.migrate()
  return database
}

async function openOwnPrivyClient(
  config: Readonly<Config>,
  app: FastifyInstance,
  closers: Array<() => Promise<void>>,
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
    connectTimeoutMs: config.privy.connectTimeoutMs,
    onAttempt: (event) => app.log.debug({ privy: event }, 'privy call'),
  })
  closers.push(() => privy.close())
  return privy
}
