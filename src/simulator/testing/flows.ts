import { z } from 'zod'
import type { SimulatorClient } from './client.js'

/**
 * Steps of the registration flows, for tests that drive the simulator over HTTP. Each throws when
 * the simulator answers otherwise than a step expects, so a test asserts only what it is about.
 */

/** What a merchant keeps from docs/privy-contract.md §3.1 to name its registration later (docs/privy-contract.md §3.3, §3.4, §4.1). */
export type RegistrationRef = {
  reference_number: string
  channel_id: string
  register_token: string
}

export interface SimOtpView {
  transaction_id: string
  kind: 'registration' | 'document_signing'
  /** null for a signing OTP (docs/privy-contract.md §4.2), which names documents instead. */
  reference_number: string | null
  signer_privy_id?: string
  document_tokens?: string[]
  document_reference_numbers?: string[]
  otp_channel: string
  code: string
  sends: number
  wrong_attempts: number
  status: 'live' | 'validated' | 'locked' | 'expired'
  expired_at: string
}

const registered = z.object({
  data: z.object({ reference_number: z.string(), channel_id: z.string(), register_token: z.string() }),
})
const statusAnswer = z.object({ data: z.record(z.string(), z.unknown()) })
const otpAnswer = z.object({ data: z.object({ transaction_id: z.string() }) })

function unexpected(step: string, response: { status: number; text: string }): Error {
  return new Error(`${step}: unexpected ${response.status} ${response.text.slice(0, 500)}`)
}

/** `POST /web/api/v2/register`, expecting 201. */
export async function registerWith(
  client: SimulatorClient,
  body: Record<string, unknown>,
): Promise<RegistrationRef> {
  const response = await client.signedPost('/web/api/v2/register', body)
  const parsed = registered.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('register', response)
  const { reference_number, channel_id, register_token } = parsed.data.data
  return { reference_number, channel_id, register_token }
}

/** `POST /web/api/v2/register/status` data. */
export async function statusOf(
  client: SimulatorClient,
  ref: RegistrationRef,
): Promise<Record<string, unknown>> {
  const response = await client.signedPost('/web/api/v2/register/status', ref)
  const parsed = statusAnswer.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('status', response)
  return parsed.data.data
}

/** `POST /web/api/v2/register/otp`, expecting 201; returns the transaction_id. */
export async function requestOtpFor(
  client: SimulatorClient,
  ref: RegistrationRef,
  otpChannel: 'sms' | 'email' = 'sms',
): Promise<string> {
  const response = await client.signedPost('/web/api/v2/register/otp', { ...ref, otp_channel: otpChannel })
  const parsed = otpAnswer.safeParse(response.json)
  if (response.status !== 201 || !parsed.success) throw unexpected('register/otp', response)
  return parsed.data.data.transaction_id
}

/** `GET /__sim/otps` entry of one transaction: the code the simulator "sent" last. */
export async function simOtp(client: SimulatorClient, transactionId: string): Promise<SimOtpView> {
  const response = await client.sim('GET', '/__sim/otps')
  const otps = (response.json as { otps?: SimOtpView[] } | undefined)?.otps ?? []
  const found = otps.find((otp) => otp.transaction_id === transactionId)
  if (found === undefined) throw unexpected(`/__sim/otps has no ${transactionId}`, response)
  return found
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value either way. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
