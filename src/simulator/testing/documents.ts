import { randomInt } from 'node:crypto'
import { z } from 'zod'
import { DEV_CREDENTIALS } from '../dev-credentials.js'
import type { DocProcess } from '../document-types.js'
import type { SimulatorClient } from './client.js'
import { registerBody, uniqueReference } from './fixtures.js'
import { registerWith, simOtp, statusOf } from './flows.js'
import { pdfDataUrl } from './pdfs.js'

/**
 * Steps of the document flows (docs/privy-contract.md §4.2, §5) for tests that drive the simulator over HTTP.
 * Like flows.ts, each throws when the simulator answers otherwise than the step expects.
 */

export interface VerifiedSigner {
  privy_id: string
  reference_number: string
  phone: string
  email: string
}

/** What a merchant keeps from docs/privy-contract.md §5.1 to name its document later (docs/privy-contract.md §5.3-§5.5). */
export type DocumentRef = { reference_number: string; channel_id: string; document_token: string }

function unexpected(step: string, response: { status: number; text: string }): Error {
  return new Error(`${step}: unexpected ${response.status} ${response.text.slice(0, 500)}`)
}

/** A registered and verified Privy user, with a phone and email of their own. */
export async function verifiedSigner(client: SimulatorClient): Promise<VerifiedSigner> {
  const phone = `62812${String(randomInt(0, 100_000_000)).padStart(8, '0')}`
  const email = `signer.${phone}@example.co.id`
  const ref = await registerWith(client, registerBody('privy_ra', { phone_verified: true, phone, email }))
  const verified = await client.sim('POST', `/__sim/registrations/${ref.reference_number}/verify`, {
    outcome: 'verified',
  })
  if (verified.status !== 200) throw unexpected('verify', verified)
  const privyId = (await statusOf(client, ref)).privy_id
  if (typeof privyId !== 'string') throw new Error('verified registration has no privy_id')
  return { privy_id: privyId, reference_number: ref.reference_number, phone, email }
}

export async function verifiedSigners(client: SimulatorClient, count: number): Promise<VerifiedSigner[]> {
  const signers: VerifiedSigner[] = []
  for (let index = 0; index < count; index += 1) signers.push(await verifiedSigner(client))
  return signers
}

export interface RecipientSpec {
  privy_id: string
  signer_type?: 'Signer' | 'Reviewer'
  /** Default: one box at (50, 50 + 70 × its index) on page 1. */
  positions?: Array<{ posX: number | string; posY: number | string; signPage: number | string }>
}

export interface UploadSpec {
  pdf: Uint8Array
  doc_process?: DocProcess
  /** "0" serial (default), "1" parallel. */
  sign_process?: '0' | '1'
  recipients?: RecipientSpec[]
  /** Default for doc_process "1"-"3": one 80 pt stamp near the bottom right of an A4 page. */
  stamps?: Array<{ pos_x: number | string; pos_y: number | string; page: number | string; dimension: number }>
}

/** A valid docs/privy-contract.md §5.1 body; `overrides` replace top-level fields, `undefined` removes one. */
export function uploadBody(
  spec: UploadSpec,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const docProcess = spec.doc_process ?? '0'
  const body: Record<string, unknown> = {
    reference_number: uniqueReference('DOC'),
    channel_id: DEV_CREDENTIALS.channelId,
    doc_process: docProcess,
    visibility: true,
    doc_owner: {
      privyId: DEV_CREDENTIALS.enterprisePrivyId,
      enterpriseToken: DEV_CREDENTIALS.enterpriseToken,
    },
    document: {
      document_file: pdfDataUrl(spec.pdf),
      document_name: 'Perjanjian Kerja Sama.pdf',
      sign_process: spec.sign_process ?? '0',
    },
    ...(docProcess === '1'
      ? {}
      : {
          recipients: (spec.recipients ?? []).map((recipient, index) => ({
            user_type: '0',
            id_user: recipient.privy_id,
            signer_type: recipient.signer_type ?? 'Signer',
            notify_user: '1',
            sign_positions: recipient.positions ?? [{ posX: 50, posY: 50 + 70 * index, signPage: 1 }],
          })),
        }),
    ...(docProcess === '0'
      ? {}
      : {
          e_meterai: {
            doc_category: 'surat_perjanjian',
            stamp_position: spec.stamps ?? [{ pos_x: 450, pos_y: 700, page: 1, dimension: 80 }],
          },
        }),
    ...overrides,
  }
  for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key]
  return body
}

const uploaded = z.object({
  data: z.object({
    reference_number: z.string(),
    channel_id: z.string(),
    document_token: z.string(),
    status: z.string(),
    signing_url: z.string(),
  }),
})
const dataAnswer = z.object({ data: z.record(z.string(), z.unknown()) })
const otpAnswer = z.object({ data: z.object({ transaction_id: z.string() }) })

/** `POST /web/api/v2/doc-signing`, expecting 201. */
export async function uploadWith(client: SimulatorClient, body: Record<string, unknown>) {
  const response = await client.signedPost('/web/api/v2/doc-signing', body)
  const parsed = uploaded.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('doc-signing', response)
  const { reference_number, channel_id, document_token } = parsed.data.data
  return { ref: { reference_number, channel_id, document_token } as DocumentRef, data: parsed.data.data }
}

/** `POST /web/api/v2/doc-signing/status` data. */
export async function documentStatusOf(client: SimulatorClient, ref: DocumentRef) {
  const response = await client.signedPost('/web/api/v2/doc-signing/status', ref)
  const parsed = dataAnswer.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('doc-signing/status', response)
  return parsed.data.data
}

/** `POST /web/api/v2/doc-signing/otp/request`, expecting 201; returns the transaction_id. */
export async function requestSigningOtpFor(client: SimulatorClient, privyId: string, tokens: string[]) {
  const response = await client.signedPost('/web/api/v2/doc-signing/otp/request', {
    channel_id: DEV_CREDENTIALS.channelId,
    signer_privy_id: privyId,
    document_tokens: tokens,
    otp_channel: 'sms',
  })
  const parsed = otpAnswer.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('doc-signing/otp/request', response)
  return parsed.data.data.transaction_id
}

/** Signs with an OTP end to end (request, read the code at `/__sim/otps`, validate); returns its data. */
export async function signWithOtp(client: SimulatorClient, privyId: string, tokens: string[]) {
  const transactionId = await requestSigningOtpFor(client, privyId, tokens)
  const { code } = await simOtp(client, transactionId)
  const response = await client.signedPost('/web/api/v2/doc-signing/otp/validation', {
    transaction_id: transactionId,
    otp_code: code,
  })
  const parsed = dataAnswer.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('doc-signing/otp/validation', response)
  return parsed.data.data
}

/** `GET /__sim/documents/:reference_number`. */
export async function simDocument(client: SimulatorClient, referenceNumber: string) {
  const response = await client.sim('GET', `/__sim/documents/${referenceNumber}`)
  const parsed = z.record(z.string(), z.unknown()).safeParse(response.json)
  if (response.status !== 200 || !parsed.success) throw unexpected('/__sim/documents', response)
  return parsed.data
}
