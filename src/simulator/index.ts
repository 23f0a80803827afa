import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { installAnswerStyles } from './answer-styles.js'
import { signedRequestHook } from './auth.js'
import { CallbackSender } from './callbacks.js'
import { createContext, type SimContext, type SimulatorOptions } from './context.js'
import { DocumentProcessor } from './document-flow.js'
import { installErrorHandling } from './errors.js'
import { FaultInjector } from './faults.js'
import { installRawBodyParser } from './json-body.js'
import { StatePersistence } from './persistence.js'
import { RequestLog } from './request-log.js'
import { documentOtpRoutes } from './routes/document-otp.js'
import { documentRoutes } from './routes/documents.js'
import { landingPageRoutes } from './routes/landing-page.js'
import { registrationRoutes } from './routes/registration.js'
import { registrationOtpRoutes } from './routes/registration-otp.js'
import { signingPageRoutes } from './routes/signing-page.js'
import { simCallbackRoutes } from './routes/sim-callbacks.js'
import { simControlRoutes } from './routes/sim-control.js'
import { simDocumentRoutes } from './routes/sim-documents.js'
import { simFaultRoutes } from './routes/sim-faults.js'
import { simOtpRoutes } from './routes/sim-otp.js'
import { tokenRoutes } from './routes/token.js'
import type { SimulatorState } from './state.js'
import { VerificationScheduler } from './verification.js'

/**
 * The Privy simulator: the upstream contract (docs/privy-contract.md) implemented strictly, plus the
 * `/__sim` test surface of its docs/privy-contract.md §7. It imports nothing from the gateway except the shared signing code.
 * State is in memory; with `stateFile` it is also kept on disk and survives a restart (persistence.ts).
 */

export type {
  SimulatorChannel,
  SimulatorCredentials,
  SimulatorEnterprise,
  SimulatorOptions,
} from './context.js'
export { DEV_CREDENTIALS } from './dev-credentials.js'
export type { SimulatorState } from './state.js'

export interface RunningSimulator {
  url: string
  app: FastifyInstance
  state: SimulatorState
  /** With `stateFile`: whether the state was loaded from it (false: a first start, or it was unreadable). */
  restored: boolean
  close(): Promise<void>
}

/** KTP and selfie photos and PDFs arrive base64-encoded in the body, far past Fastify's 1 MiB default. */
const BODY_LIMIT_BYTES = 20 * 1024 * 1024

const contexts = new WeakMap<FastifyInstance, SimContext>()

/** The token in a landing-page or signing URL is its only secret, so request logs mask it. */
function maskedUrl(url: string | undefined): string | undefined {
  return url?.replace(/^\/(registration|sign)\/[^/?]+/, '/$1/***')
}

const LOGGER_OPTIONS = {
  serializers: {
    req: (request: { method?: string; url?: string }) => ({
      method: request.method,
      url: maskedUrl(request.url),
    }),
  },
}

/**
 * What happens after a request, in the background: docs/privy-contract.md §6 callbacks on every status change and every
 * signature (creation is not one), the docs/privy-contract.md §7 verification delay and the document processing delay.
 * All stop on reset and on close.
 */
function installBackgroundWork(app: FastifyInstance, context: SimContext) {
  const callbacks = new CallbackSender(context)
  const verifications = new VerificationScheduler(context)
  const processor = new DocumentProcessor(context)
  context.events.onRegistration((registration, event) => {
    if (event === 'status_changed') callbacks.registrationChanged(registration)
    if (registration.status === 'waiting_verification') verifications.entered(registration)
  })
  context.events.onDocument((document, event) => {
    if (event !== 'created') callbacks.documentChanged(document)
  })
  context.events.onReset(() => {
    verifications.cancelAll()
    processor.cancelAll()
    callbacks.cancelAll()
  })
  app.addHook('preClose', async () => {
    verifications.cancelAll()
    processor.cancelAll()
    await callbacks.close()
  })
  return { callbacks, processor }
}

function assemble(options: SimulatorOptions): { app: FastifyInstance; context: SimContext } {
  const context = createContext(options)
  const app = Fastify({
    logger: options.logger === true ? LOGGER_OPTIONS : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Destroy keep-alive and in-flight sockets on close, so a delayed answer cannot hold it open.
    forceCloseConnections: true,
  })
  installRawBodyParser(app)
  installErrorHandling(app)
  const requestLog = new RequestLog(context)
  requestLog.install(app)
  const faults = new FaultInjector(context, requestLog)
  faults.install(app)
  installAnswerStyles(app, () => context.state.settings.answerStyle)
  const { callbacks, processor } = installBackgroundWork(app, context)

  app.register(tokenRoutes, { context })
  app.register(
    async (api) => {
      api.addHook('preValidation', signedRequestHook(context))
      await api.register(registrationRoutes, { context })
      await api.register(registrationOtpRoutes, { context })
      await api.register(documentRoutes, { context, processor })
      await api.register(documentOtpRoutes, { context, processor })
    },
    { prefix: '/web/api/v2' },
  )
  app.register(landingPageRoutes, { context })
  app.register(signingPageRoutes, { context })
  app.register(simControlRoutes, { context })
  app.register(simFaultRoutes, { faults })
  app.register(simOtpRoutes, { context })
  app.register(simCallbackRoutes, { context, callbacks })
  app.register(simDocumentRoutes, { context, processor })

  contexts.set(app, context)
  return { app, context }
}

/** A simulator that is not listening, for embedding in another Fastify server or for `inject`. */
export function buildSimulator(options: SimulatorOptions = {}): FastifyInstance {
  return assemble(options).app
}

/** The state behind an instance made by `buildSimulator`, for tests that embed it. */
export function simulatorState(app: FastifyInstance): SimulatorState | undefined {
  return contexts.get(app)?.state
}

function urlOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
}

/** Starts the simulator on host:port (default 127.0.0.1 and a free port). */
export async function startSimulator(
  options: SimulatorOptions & { host?: string; port?: number } = {},
): Promise<RunningSimulator> {
  const { host = '127.0.0.1', port = 0, ...simulatorOptions } = options
  const { app, context } = assemble(simulatorOptions)
  const restored = await persistState(app, context, simulatorOptions)
  try {
    await app.listen({ host, port })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address()
  if (address === null || typeof address === 'string') {
    await app.close()
    throw new Error('The simulator is not listening on a TCP port')
  }
  const url = urlOf(address)
  context.publicUrl ??= url
  return { url, app, state: context.state, restored, close: () => app.close() }
}

/**
 * Loads the state file, then writes it after every request that may change the state and every
 * background change (verification, processing), and once more on close.
 */
async function persistState(
  app: FastifyInstance,
  context: SimContext,
  options: SimulatorOptions,
): Promise<boolean> {
  if (options.stateFile === undefined) return false
  const warn = options.onStateWarning ?? ((message, details) => app.log.warn(details ?? {}, message))
  const persistence = new StatePersistence(options.stateFile, context.state, warn)
  const { loaded } = await persistence.load()
  // What was waiting for the verification delay before the restart waits again (from now).
  for (const registration of context.state.registrations.values()) {
    if (registration.status === 'waiting_verification') context.events.registration(registration, 'created')
  }
  app.addHook('onResponse', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') persistence.schedule()
  })
  context.events.onRegistration(() => persistence.schedule())
  context.events.onDocument(() => persistence.schedule())
  app.addHook('onClose', async () => persistence.flush())
  return loaded
}
