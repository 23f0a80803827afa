/** The registration module's public face: other modules and the app import only this file. */
export { createRegistrationApi, type RegistrationApi } from './registration.api.js'
export {
  createRegistrationCache,
  type RegistrationCache,
  withRegistrationCache,
} from './registration.cache.js'
export { resealField } from './registration.pii.js'
export { createRegistrationRepository, type RegistrationRepository } from './registration.repository.js'
export { registrationRoutes } from './registration.routes.js'
export { createRegistrationService, type RegistrationService } from './registration.service.js'
