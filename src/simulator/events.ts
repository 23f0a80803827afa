import type { SimDocument } from './document-types.js'
import type { SimRegistration } from './state.js'

/**
 * What happened to the simulator's state, for the parts that act on it later and apart from the
 * request that caused it: the verification delay (docs/privy-contract.md §7) and callbacks to the merchant (docs/privy-contract.md §6). Emitting
 * never blocks or fails the request; listeners only schedule work.
 */

/** `created` is not a status change (docs/privy-contract.md §6 sends no callback for it), but may enter waiting_verification. */
export type RegistrationEvent = 'created' | 'status_changed'

/** docs/privy-contract.md §6 sends a `document` callback on every status change and every signature, not on creation. */
export type DocumentEvent = 'created' | 'status_changed' | 'signed'

type RegistrationListener = (registration: SimRegistration, event: RegistrationEvent) => void
type DocumentListener = (document: SimDocument, event: DocumentEvent) => void

export class SimEvents {
  private readonly registrationListeners: RegistrationListener[] = []
  private readonly documentListeners: DocumentListener[] = []
  private readonly resetListeners: Array<() => void> = []

  onRegistration(listener: RegistrationListener): void {
    this.registrationListeners.push(listener)
  }

  onDocument(listener: DocumentListener): void {
    this.documentListeners.push(listener)
  }

  /** Called after `POST /__sim/reset`, so timers of forgotten state stop. */
  onReset(listener: () => void): void {
    this.resetListeners.push(listener)
  }

  registration(registration: SimRegistration, event: RegistrationEvent): void {
    for (const listener of this.registrationListeners) listener(registration, event)
  }

  document(document: SimDocument, event: DocumentEvent): void {
    for (const listener of this.documentListeners) listener(document, event)
  }

  reset(): void {
    for (const listener of this.resetListeners) listener()
  }
}
