import type { FastifyBaseLogger } from 'fastify'
import type { PrismaClient } from '../../generated/prisma/client.js'
import type { BackgroundLoopOptions } from '../../lib/background-loop.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { createWebhookDispatcher, type WebhookSettings } from './webhooks.dispatcher.js'
import { createWebhookRepository } from './webhooks.repository.js'
import { createSecretBox } from './webhooks.secret-box.js'
import { createWebhookSender } from './webhooks.sender.js'
import { createWebhookService, type WebhookService } from './webhooks.service.js'

export interface WebhookModule {
  service: WebhookService
  /** The fan-out and delivery sweeps, for the app's background loops. */
  loops: BackgroundLoopOptions[]
  /** Closes the HTTP agent; after the loops have stopped. */
  close(): Promise<void>
}

/** Webhooks out, wired: repository, sender, dispatcher and the operators' service. */
export function createWebhookModule(deps: {
  prisma: PrismaClient
  pii: PiiCipher
  settings: WebhookSettings
  now: () => Date
  logger: FastifyBaseLogger
}): WebhookModule {
  const repository = createWebhookRepository(deps.prisma)
  const secrets = createSecretBox(deps.pii)
  const urlPolicy = { allowHttp: deps.settings.allowHttp }
  const sender = createWebhookSender({ ...urlPolicy, timeoutMs: deps.settings.timeoutMs })
  const dispatcher = createWebhookDispatcher({
    repository,
    sender,
    secrets,
    now: deps.now,
    settings: deps.settings,
    logger: deps.logger,
  })
  return {
    service: createWebhookService({ repository, dispatcher, secrets, urlPolicy, now: deps.now }),
    loops: dispatcher.loops(deps.logger),
    close: () => sender.close(),
  }
}
