/** The privy-callbacks module's public face: other modules and the app import only this file. */
export { type CallbackJobs, createPrivyCallbacksModule } from './callback.module.js'
export { type CallbackRepository, createCallbackRepository } from './callback.repository.js'
export { callbackRoutes } from './callback.routes.js'
export { callbackBodyContext, createCallbackService } from './callback.service.js'
