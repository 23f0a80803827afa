/**
 * The signed status call as a merchant's own server would send it, shared by the two contenders that
 * stand in for "no gateway" (proxy.ts, peer.ts): an OAuth token fetched once, the body signed the
 * contract's way on every call.
 */
import { request } from 'undici'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'

export const STATUS_PATHS = {
  registrations: '/web/api/v2/register/status',
  documents: '/web/api/v2/doc-signing/status',
} as const

export type StatusKind = keyof typeof STATUS_PATHS

export async function fetchAccessToken(upstreamUrl: string): Promise<string> {
  const response = await request(`${upstreamUrl}/oauth2/api/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: DEV_CREDENTIALS.clientId,
      client_secret: DEV_CREDENTIALS.clientSecret,
      grant_type: 'client_credentials',
    }),
  })
  const body = (await response.body.json()) as { data: { access_token: string } }
  return body.data.access_token
}

/** Body and headers of the status call for record `id` (its reference number and token, in a real BFF). */
export function signedStatusCall(kind: StatusKind, id: string, accessToken: string) {
  const body =
    kind === 'registrations'
      ? { reference_number: id, channel_id: DEV_CREDENTIALS.channelId, register_token: `rt-${id}` }
      : { reference_number: id, channel_id: DEV_CREDENTIALS.channelId, document_token: `dt-${id}` }
  const timestamp = privyTimestamp(new Date())
  return {
    body: JSON.stringify(body),
    headers: {
      authorization: `Bearer ${accessToken}`,
      timestamp,
      signature: signatureFor(DEV_CREDENTIALS, timestamp, body),
      'content-type': 'application/json',
    },
  }
}
