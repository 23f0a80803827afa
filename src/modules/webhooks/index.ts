/** The webhooks module's public face: other modules and the app import only this file. */
export { createWebhooksModule } from './webhooks.module.js'
export { recordWebhookEvent, type WebhookEventInput } from './webhooks.outbox.js'
export { createWebhookRepository, type WebhookRepository } from './webhooks.repository.js'
export { webhookRoutes } from './webhooks.routes.js'
export { createSecretBox, type SecretBox } from './webhooks.secret-box.js'
