/** The limits module's public face: other modules and the app import only this file. */
export { clientAddressKey } from './client-address.js'
export { createLimitsModule, type LimitsApi } from './limits.module.js'
export { createLimitsRepository } from './limits.repository.js'
export { createLimitsService, type LimitRule, type LimitsService, type Taken } from './limits.service.js'
export { createOtpLimits, type OtpLimits, type RecipientKeys } from './otp-limits.js'
export { emailLookupOf } from './recipient.js'
