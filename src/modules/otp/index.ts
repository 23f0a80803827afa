/** The otp module's public face: other modules and the app import only this file. */
export { createOtpModule, type OtpJobs } from './otp.module.js'
export { createOtpRepository, type OtpRepository } from './otp.repository.js'
export { otpRoutes } from './otp.routes.js'
export { createOtpService } from './otp.service.js'
