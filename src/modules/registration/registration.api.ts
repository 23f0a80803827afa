import type { RegistrationRepository } from './registration.repository.js'

/**
 * What other modules may ask of registrations: find one, find the verified signer behind a Privy id,
 * and the one move another module causes (a validated registration OTP). Their storage stays here.
 */
export function createRegistrationApi(repository: RegistrationRepository) {
  return {
    findVisible: repository.findVisible,
    findVerifiedSigner: repository.findVerifiedSigner,
    /** After the registration OTP was right: Privy now verifies the person. */
    markOtpValidated: (id: string) => repository.moveStatus(id, 'waiting_otp', 'waiting_verification'),
  }
}

export type RegistrationApi = ReturnType<typeof createRegistrationApi>
