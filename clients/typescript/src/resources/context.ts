import type { Client } from 'openapi-fetch'
import type { CallDefaults } from '../call.js'
import type { paths } from '../openapi-types.js'

/** What every resource shares: the typed openapi-fetch client and the call defaults. */
export interface ResourceContext {
  http: Client<paths>
  defaults: CallDefaults
}

/**
 * The POST routes that honour `Idempotency-Key` (the document lists the header on each). Helpers for
 * these send a key on every call; a unit test keeps this list equal to the document's.
 */
export const KEYED_OPERATIONS = [
  'POST /v1/registrations',
  'POST /v1/registrations/{id}/resend',
  'POST /v1/documents',
  'POST /v1/documents/{id}/revoke',
  'POST /v1/templates',
  'POST /v1/otp',
  'POST /v1/otp/{id}/validate',
  'POST /v1/otp/{id}/resend',
] as const

/**
 * A multipart body, for openapi-fetch: the document describes the parts' schema, but what goes on the
 * wire is the FormData, which openapi-fetch passes through untouched (and lets fetch set the boundary).
 */
export function formBody(form: FormData): never {
  return form as never
}
