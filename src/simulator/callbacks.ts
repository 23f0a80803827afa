import { randomUUID } from 'node:crypto'
import { Agent, request } from 'undici'
import { privyTimestamp, signatureFor } from '../privy/index.js'
import type { SimContext } from './context.js'
import { documentStatusData } from './document-data.js'
import type { SimDocument } from './document-types.js'
import { statusData } from './registrations.js'
import type { SimRegistration } from './state.js'

/**
 * Callbacks to the merchant (docs/privy-contract.md §6): `{"event", "data"}` POSTed to the configured URL, signed
 * by docs/privy-contract.md §2.3 with the simulator's api_key/api_secret. Sent in the background, never from inside the
 * request that caused them; every attempt is logged for `GET /__sim/callbacks`.
 */

export type CallbackEvent = 'register' | 'document'

/** The first attempt and three retries (docs/privy-contract.md §6). */
export const CALLBACK_MAX_ATTEMPTS = 4
const CALLBACK_TIMEOUT_MS = 5000

interface Delivery {
  id: string
  url: string
  event: CallbackEvent
  referenceNumber: string
  channelId: string
  status: string
  /** The exact bytes sent on every attempt: serialised once. */
  text: string
  attempt: number
  timer: NodeJS.Timeout | undefined
  controller: AbortController
  cancelled: boolean
}

/** What the log says about an attempt that got no answer: undici's error code, then its message. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined
  return code === undefined ? error.message : `${code}: ${error.message}`
}

export class CallbackSender {
  private readonly pending = new Set<Delivery>()
  /** Its own connection pool, so close() can drop keep-alive sockets to the merchant at once. */
  private readonly agent = new Agent({ connect: { timeout: CALLBACK_TIMEOUT_MS } })

  constructor(private readonly context: SimContext) {}

  /** A `register` callback with the registration's docs/privy-contract.md §3.3 status data as it is now. */
  registrationChanged(registration: SimRegistration): string | undefined {
    return this.sendRegistration(registration, statusData(registration))
  }

  /** Also for `/__sim/callbacks/send`, whose data may say an older status than the registration has. */
  sendRegistration(registration: SimRegistration, data: { status: string }): string | undefined {
    return this.deliver('register', registration, data)
  }

  /** A `document` callback with the docs/privy-contract.md §5.3 status data as it is now, without `signed_document` (docs/privy-contract.md §6). */
  documentChanged(document: SimDocument): string | undefined {
    return this.deliver('document', document, documentStatusData(document, { withSignedDocument: false }))
  }

  /** Starts a delivery and returns its id, or undefined when no callback URL is set. */
  deliver(
    event: CallbackEvent,
    subject: { referenceNumber: string; channelId: string },
    data: { status: string },
  ): string | undefined {
    const url = this.context.state.settings.callbackUrl
    if (url === null) return undefined
    const delivery: Delivery = {
      id: randomUUID(),
      url,
      event,
      referenceNumber: subject.referenceNumber,
      channelId: subject.channelId,
      status: data.status,
      text: JSON.stringify({ event, data }),
      attempt: 0,
      timer: undefined,
      controller: new AbortController(),
      cancelled: false,
    }
    this.pending.add(delivery)
    void this.attempt(delivery)
    return delivery.id
  }

  /** Stops pending retries and aborts attempts in flight (reset); their outcome is not logged. */
  cancelAll(): void {
    for (const delivery of this.pending) {
      delivery.cancelled = true
      clearTimeout(delivery.timer)
      delivery.controller.abort()
    }
    this.pending.clear()
  }

  async close(): Promise<void> {
    this.cancelAll()
    await this.agent.destroy()
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempt += 1
    const at = this.context.now()
    // Signed over the parsed bytes, so the signature covers exactly what the receiver will parse.
    // A fresh Timestamp per attempt: retries can come later than a receiver's allowed clock skew.
    const timestamp = privyTimestamp(at)
    const signature = signatureFor(this.context.credentials, timestamp, JSON.parse(delivery.text))
    let httpStatus: number | null = null
    let error: string | null = null
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          timestamp,
          signature,
          'user-agent': 'privy-simulator',
        },
        body: delivery.text,
        signal: AbortSignal.any([delivery.controller.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
      })
      httpStatus = response.statusCode
      await response.body.dump()
    } catch (failure) {
      error = describeFailure(failure)
    }
    if (delivery.cancelled) return
    this.context.state.logCallback({
      delivery_id: delivery.id,
      event: delivery.event,
      reference_number: delivery.referenceNumber,
      channel_id: delivery.channelId,
      status: delivery.status,
      attempt: delivery.attempt,
      http_status: httpStatus,
      error,
      at: at.toISOString(),
    })
    const delivered = httpStatus !== null && httpStatus >= 200 && httpStatus < 300
    if (delivered || delivery.attempt >= CALLBACK_MAX_ATTEMPTS) {
      this.pending.delete(delivery)
      return
    }
    const backoffMs = this.context.state.settings.callbackRetryBaseMs * 2 ** (delivery.attempt - 1)
    delivery.timer = setTimeout(() => void this.attempt(delivery), backoffMs)
  }
}
