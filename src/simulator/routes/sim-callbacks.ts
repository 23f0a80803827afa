import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { ANSWER_STYLES } from '../answer-styles.js'
import type { CallbackSender } from '../callbacks.js'
import type { SimContext } from '../context.js'
import { SimError } from '../errors.js'
import { optionalJsonObjectBody } from '../json-body.js'
import { parseBody } from '../schemas.js'
import type { SimRegistration, SimSettings } from '../state.js'
import { findSimRegistration } from './sim-lookup.js'

/**
 * The simulator's settings of docs/privy-contract.md §7 (verification and document processing delays,
 * the answer style, and where the callbacks of docs/privy-contract.md §6 go) and the callback log, plus two ways to make the deliveries a merchant must cope with: the same callback
 * twice (replay) and a stale one arriving after a newer one (send with status_override). Replay and
 * send cover `register` callbacks only.
 */

const settingsBody = z.strictObject({
  verification_delay_ms: z.number().int().min(0).max(86_400_000).nullable().optional(),
  callback_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .nullable()
    .optional(),
  callback_retry_base_ms: z.number().int().min(0).max(600_000).optional(),
  document_processing_delay_ms: z.number().int().min(0).max(86_400_000).nullable().optional(),
  answer_style: z.enum(ANSWER_STYLES).optional(),
})
const STATUSES = ['pending', 'waiting_otp', 'waiting_verification', 'verified', 'rejected'] as const
const replayBody = z.strictObject({ reference_number: z.string(), channel_id: z.string().optional() })
const sendBody = replayBody.extend({ status_override: z.enum(STATUSES).optional() })
const callbacksQuery = z.object({ reference_number: z.string().optional() })

function settingsView(settings: SimSettings) {
  return {
    verification_delay_ms: settings.verificationDelayMs,
    callback_url: settings.callbackUrl,
    callback_retry_base_ms: settings.callbackRetryBaseMs,
    document_processing_delay_ms: settings.documentProcessingDelayMs,
    answer_style: settings.answerStyle,
  }
}

/**
 * The docs/privy-contract.md §3.3 data the registration had when it last was in `status`: exactly what Privy would have
 * sent then, with its own updated_at. A status it never had cannot be made stale: 422.
 */
function staleData(registration: SimRegistration, status: (typeof STATUSES)[number]) {
  const snapshot = registration.statusHistory.findLast((item) => item.status === status)
  if (snapshot === undefined) {
    throw new SimError(422, [`Registration ${registration.referenceNumber} never was ${status}`])
  }
  return { ...snapshot.data, status }
}

export const simCallbackRoutes: FastifyPluginAsync<{
  context: SimContext
  callbacks: CallbackSender
}> = async (app, { context, callbacks }) => {
  const accepted = (deliveryId: string | undefined, registration: SimRegistration, status: string) => {
    if (deliveryId === undefined) {
      throw new SimError(409, ['No callback_url is set: POST /__sim/settings {"callback_url": ...} first'])
    }
    return { delivery_id: deliveryId, reference_number: registration.referenceNumber, status }
  }

  app.get('/__sim/settings', async () => settingsView(context.state.settings))

  /**
   * Only the fields given change; null turns the verification delay or callbacks off, and holds
   * documents in processing until `/__sim/documents/:ref/advance`.
   */
  app.post('/__sim/settings', async (request) => {
    const input = parseBody(settingsBody, optionalJsonObjectBody(request))
    const { settings } = context.state
    if (input.verification_delay_ms !== undefined) settings.verificationDelayMs = input.verification_delay_ms
    if (input.callback_url !== undefined) settings.callbackUrl = input.callback_url
    if (input.callback_retry_base_ms !== undefined)
      settings.callbackRetryBaseMs = input.callback_retry_base_ms
    if (input.document_processing_delay_ms !== undefined)
      settings.documentProcessingDelayMs = input.document_processing_delay_ms
    if (input.answer_style !== undefined) settings.answerStyle = input.answer_style
    return settingsView(settings)
  })

  /** Every delivery attempt, oldest first (an attempt is logged when its answer or failure is known). */
  app.get('/__sim/callbacks', async (request) => {
    const { reference_number } = callbacksQuery.parse(request.query)
    const attempts = context.state.callbacks.filter(
      (attempt) => reference_number === undefined || attempt.reference_number === reference_number,
    )
    return { callbacks: attempts }
  })

  app.post('/__sim/callbacks/replay', async (request, reply) => {
    const input = parseBody(replayBody, optionalJsonObjectBody(request))
    const registration = findSimRegistration(context, input.reference_number, input.channel_id)
    const deliveryId = callbacks.registrationChanged(registration)
    return reply.code(202).send(accepted(deliveryId, registration, registration.status))
  })

  app.post('/__sim/callbacks/send', async (request, reply) => {
    const input = parseBody(sendBody, optionalJsonObjectBody(request))
    const registration = findSimRegistration(context, input.reference_number, input.channel_id)
    if (input.status_override === undefined) {
      const deliveryId = callbacks.registrationChanged(registration)
      return reply.code(202).send(accepted(deliveryId, registration, registration.status))
    }
    const data = staleData(registration, input.status_override)
    const deliveryId = callbacks.sendRegistration(registration, data)
    return reply.code(202).send(accepted(deliveryId, registration, data.status))
  })
}
