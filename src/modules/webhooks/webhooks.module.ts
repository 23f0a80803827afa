import type { GatewayModule, ModuleContext } from '../context.js'
import { createWebhookDispatcher } from './webhooks.dispatcher.js'
import { createEventFeed, eventFeedRoutes } from './webhooks.event-feed.routes.js'
import { createWebhookRepository } from './webhooks.repository.js'
import { webhookRoutes } from './webhooks.routes.js'
import { createSecretBox } from './webhooks.secret-box.js'
import { createWebhookSender } from './webhooks.sender.js'
import { createWebhookService } from './webhooks.service.js'

/**
 * Webhooks out, wired: repository, sender, dispatcher and the operators' service. Its loops are the
 * fan-out and delivery sweeps; its close shuts the HTTP agent, after the loops have stopped.
 */
export function createWebhooksModule(ctx: ModuleContext): GatewayModule<undefined> {
  const deps = { pii: ctx.pii, settings: ctx.config.webhooks, now: ctx.now, logger: ctx.logger }
  const repository = createWebhookRepository(ctx.database.prisma)
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
  const service = createWebhookService({ repository, dispatcher, secrets, urlPolicy, now: deps.now })
  return {
    routes: async (app) => {
      await app.register(webhookRoutes, { service })
      await app.register(eventFeedRoutes, { feed: createEventFeed(repository) })
    },
    api: undefined,
    loops: dispatcher.loops(deps.logger),
    close: () => sender.close(),
  }
}
