import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { resetSimulator, type SimContext } from '../context.js'
import { optionalJsonObjectBody } from '../json-body.js'
import { isSoftReject, REJECT_CODES, type VerificationOutcome } from '../outcomes.js'
import { finishLandingPage, verifyRegistration } from '../registrations.js'
import { parseBody } from '../schemas.js'
import type { SimRegistration } from '../state.js'
import { findSimRegistration } from './sim-lookup.js'

/**
 * The test surface of docs/privy-contract.md §7 (never part of real Privy): plain JSON, no authentication, errors
 * in the contract's shape. OTPs and messages are in sim-otp.ts, settings and callbacks in
 * sim-callbacks.ts, documents (sign as a signer) in sim-documents.ts.
 */

const referenceParams = z.object({ reference_number: z.string() })
const channelQuery = z.object({ channel_id: z.string().optional() })
const verifyBody = z.strictObject({
  outcome: z
    .union([
      z.literal('verified'),
      z.strictObject({ reject: z.enum(REJECT_CODES), resend: z.boolean().optional() }),
    ])
    .optional(),
})
const requestsQuery = z.object({ path: z.string().optional() })
const resetBody = z.strictObject({ keep_tokens: z.boolean().optional() })

function simView(registration: SimRegistration) {
  return {
    reference_number: registration.referenceNumber,
    channel_id: registration.channelId,
    registration_type: registration.registrationType,
    register_token: registration.registerToken,
    status: registration.status,
    privy_id: registration.privyId ?? null,
    email: registration.email,
    phone: registration.phone,
    name: registration.name ?? null,
    phone_verified: registration.phoneVerified,
    registration_url: registration.registrationUrl ?? null,
    reject_reason: registration.rejectReason ?? null,
    resend: registration.resend ?? null,
    scripted_outcome: registration.scriptedOutcome,
    created_at: registration.createdAt.toISOString(),
    updated_at: registration.updatedAt.toISOString(),
  }
}

function forcedOutcome(outcome: z.output<typeof verifyBody>['outcome']): VerificationOutcome | undefined {
  if (outcome === undefined) return undefined
  if (outcome === 'verified') return { kind: 'verified' }
  return { kind: 'rejected', code: outcome.reject, resend: outcome.resend ?? isSoftReject(outcome.reject) }
}

export const simControlRoutes: FastifyPluginAsync<{ context: SimContext }> = async (app, { context }) => {
  /** Reference numbers are unique per channel only: `?channel_id=` picks one when several share it. */
  const findRegistration = (params: unknown, query: unknown): SimRegistration => {
    const { reference_number } = referenceParams.parse(params)
    const { channel_id } = channelQuery.parse(query)
    return findSimRegistration(context, reference_number, channel_id)
  }

  app.get('/__sim/health', async () => ({ status: 'ok' }))

  app.get('/__sim/registrations/:reference_number', async (request) =>
    simView(findRegistration(request.params, request.query)),
  )

  app.post('/__sim/registrations/:reference_number/finish-landing', async (request) => {
    const registration = findRegistration(request.params, request.query)
    finishLandingPage(context, registration)
    return simView(registration)
  })

  app.post('/__sim/registrations/:reference_number/verify', async (request) => {
    const { outcome } = parseBody(verifyBody, optionalJsonObjectBody(request))
    const registration = findRegistration(request.params, request.query)
    verifyRegistration(context, registration, forcedOutcome(outcome))
    return simView(registration)
  })

  app.get('/__sim/requests', async (request) => {
    const { path } = requestsQuery.parse(request.query)
    const requests = context.state.requests.filter((entry) => path === undefined || entry.path === path)
    return { requests }
  })

  app.get('/__sim/requests/count', async (request) => {
    const { path } = requestsQuery.parse(request.query)
    const count = context.state.requests.filter((entry) => path === undefined || entry.path === path).length
    return { path: path ?? null, count }
  })

  app.post('/__sim/reset', async (request) => {
    const { keep_tokens } = parseBody(resetBody, optionalJsonObjectBody(request))
    resetSimulator(context, { keepTokens: keep_tokens === true })
    return { reset: true, kept_tokens: keep_tokens === true }
  })
}
