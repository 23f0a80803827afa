import type {
  Document,
  DocumentMetadataInput,
  GatewayClient,
  LandingPageRegistrationRequest,
  OtpRequest,
  OtpTransaction,
  Registration,
} from '@privy-gateway/client'
import { expect } from 'vitest'
import { answered, clientFor, type TestCaller } from './client.js'
import { a4Pdf } from './documents.js'
import type { TestGateway } from './gateway.js'
import { fullRegistrationJson } from './identity.js'

/**
 * The resources as a test uses them: each helper goes through the typed client as `caller`, asserts
 * the status that means "done" (with the problem in the failure message) and returns the answer
 * typed from the OpenAPI document. A test that expects a refusal calls `clientFor(...).raw` instead.
 */

/** `POST /v1/registrations`: a full (`privy_ra`) registration from `fullRegistrationJson(overrides)`, 201. */
export async function register(
  gateway: TestGateway,
  caller: TestCaller,
  overrides: Record<string, unknown> = {},
): Promise<Registration> {
  const client = await clientFor(gateway, caller)
  const body = (await fullRegistrationJson(overrides)) as Parameters<typeof client.registrations.create>[0]
  const answer = await client.raw.POST('/v1/registrations', { body })
  expect(answer.response.status, JSON.stringify(answer.error)).toBe(201)
  return answer.data as Registration
}

/** `POST /v1/documents` of `pdf` (a fresh two-page A4 when left out) with `metadata`, 201. */
export async function upload(
  gateway: TestGateway,
  caller: TestCaller,
  metadata: DocumentMetadataInput,
  pdf?: Uint8Array,
): Promise<Document> {
  const client = await clientFor(gateway, caller)
  const uploaded = await client.documents.upload({ file: pdf ?? (await a4Pdf(2)), metadata }).withResponse()
  expect(uploaded.response.status).toBe(201)
  return uploaded.data
}

/** `POST /v1/otp` for a registration (SMS unless `body` says otherwise), 201. */
export async function requestOtp(
  gateway: TestGateway,
  caller: TestCaller,
  registrationId: string,
  body: Partial<OtpRequest> = {},
): Promise<OtpTransaction> {
  const client = await clientFor(gateway, caller)
  const request = { otp_type: 'registration', otp_channel: 'sms', registration_id: registrationId, ...body }
  const answer = await client.raw.POST('/v1/otp', { body: request as OtpRequest })
  expect(answer.response.status, JSON.stringify(answer.error)).toBe(201)
  return answer.data as OtpTransaction
}

/** An OTP as the simulator sent it: the code the person would read, and Privy's transaction id. */
export interface SimOtp {
  code: string
  transaction_id: string
}

/**
 * The newest OTP the simulator sent for `filter` (`{reference_number}` of a registration or
 * `{signer_privy_id}` of a document signer).
 */
export async function latestSimOtp(
  gateway: TestGateway,
  filter: { reference_number: string } | { signer_privy_id: string },
): Promise<SimOtp> {
  const listed = await gateway.sim('GET', `/__sim/otps?${new URLSearchParams(filter)}`)
  expect(listed.status, listed.text).toBe(200)
  const otps = (listed.json.otps ?? listed.json) as SimOtp[]
  const latest = otps.at(-1)
  if (!latest) throw new Error(`the simulator sent no OTP for ${JSON.stringify(filter)}`)
  return latest
}

/** `GET /v1/documents/{id}` (`?refresh=true` asks Privy first), 200. */
export async function getDocument(
  gateway: TestGateway,
  caller: TestCaller,
  id: string,
  query: { refresh?: boolean } = {},
): Promise<Document> {
  const client = await clientFor(gateway, caller)
  const read = await client.documents.get(id, query).withResponse()
  expect(read.response.status).toBe(200)
  return read.data
}

/** `GET /v1/registrations/{id}` (`?refresh=true` asks Privy first), 200. */
export async function getRegistration(
  gateway: TestGateway,
  caller: TestCaller,
  id: string,
  query: { refresh?: boolean } = {},
): Promise<Registration> {
  const client = await clientFor(gateway, caller)
  const read = await client.registrations.get(id, query).withResponse()
  expect(read.response.status).toBe(200)
  return read.data
}

let landings = 0

/** A landing-page registration's body for a new person each time (a fresh email and phone). */
export function landingPageBody(): LandingPageRegistrationRequest {
  landings += 1
  return {
    registration_type: 'landing_page',
    name: 'Ayu Lestari',
    email: `landing.${landings}@example.co.id`,
    phone: `62815${String(landings).padStart(8, '0')}`,
  }
}

/**
 * `POST /v1/registrations` of a landing-page registration (status pending), 201: the cheapest
 * registration there is, with a fresh email and phone each time.
 */
export async function registerLanding(gateway: TestGateway, caller: TestCaller): Promise<Registration> {
  const client = await clientFor(gateway, caller)
  const created = await client.registrations.create(landingPageBody()).withResponse()
  expect(created.response.status).toBe(201)
  return created.data
}

/**
 * `POST /v1/documents` of a form as is (`uploadBody`, any metadata text), answered as is: no
 * Idempotency-Key unless `headers` has one (the client's `documents.upload` always sends one).
 */
export async function uploadRaw(client: GatewayClient, form: FormData, headers: Record<string, string> = {}) {
  return answered(await client.raw.POST('/v1/documents', { body: form as never, headers }))
}

/** `POST /v1/documents/{id}/revoke` as `caller` without a key, answered as is (a refusal is read, not thrown). */
export async function revokeDocument(gateway: TestGateway, caller: TestCaller, id: string) {
  const client = await clientFor(gateway, caller)
  return answered(await client.raw.POST('/v1/documents/{id}/revoke', { params: { path: { id } } }))
}
