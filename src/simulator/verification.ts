import type { SimContext } from './context.js'
import { verifyRegistration } from './registrations.js'
import type { SimRegistration } from './state.js'

/**
 * The verification delay of docs/privy-contract.md §7: with `verification_delay_ms` set, a registration that enters
 * waiting_verification (landing page finished, OTP validated, registered with phone_verified, resent)
 * is verified by its scripted outcome that long afterwards. The delay in force at entry applies;
 * changing the setting later does not move timers already running. Real timers, not the injectable
 * clock: the point is that a client sees the change happen on its own.
 */
export class VerificationScheduler {
  private readonly timers = new Map<SimRegistration, NodeJS.Timeout>()

  constructor(private readonly context: SimContext) {}

  entered(registration: SimRegistration): void {
    const delayMs = this.context.state.settings.verificationDelayMs
    if (delayMs === null) return
    clearTimeout(this.timers.get(registration))
    const timer = setTimeout(() => {
      this.timers.delete(registration)
      // A test may have verified it by hand meanwhile; then there is nothing left to decide.
      if (registration.status === 'waiting_verification') verifyRegistration(this.context, registration)
    }, delayMs)
    this.timers.set(registration, timer)
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
