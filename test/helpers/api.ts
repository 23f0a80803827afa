import type { Document, DocumentMetadataInput, Registration } from '@privy-gateway/client'
import { expect } from 'vitest'
import { clientFor, type TestCaller } from './client.js'
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
