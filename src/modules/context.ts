import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify'
import type { Config } from '../config/config.js'
import type { Database } from '../db/database.js'
import type { AnswerKeeper } from '../lib/answer-keeper.js'
import type { BackgroundLoopOptions } from '../lib/background-loop.js'
import type { PiiCipher } from '../lib/pii-crypto.js'
import type { GatewayMetrics } from '../observability/metrics.js'
import type { PrivyClient } from '../privy/index.js'

/** What every module is built over: the app's one database, Privy client, clock, logger and config. */
export interface ModuleContext {
  config: Readonly<Config>
  database: Database
  privy: PrivyClient
  now: () => Date
  logger: FastifyBaseLogger
  metrics: GatewayMetrics
  pii: PiiCipher
  /** Privy's answers the database could not take, kept to be written later. */
  answers: AnswerKeeper
  /** A request's own budget: an operation still `in_flight` after this lost its request. */
  inFlightBudgetMs: number
}

/**
 * A module's public face, as its index.ts hands it to the app: its routes (a plugin the app
 * registers), what other modules may call, its background loops, and what to close on shutdown.
 */
export interface GatewayModule<Api> {
  routes: FastifyPluginAsync
  api: Api
  loops: BackgroundLoopOptions[]
  /** After the requests have drained and the loops have stopped. */
  close(): Promise<void>
}

/** For a module that serves no routes of its own. */
export const noRoutes: FastifyPluginAsync = async () => undefined

export const nothingToClose = async (): Promise<void> => undefined
