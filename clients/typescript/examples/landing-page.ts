/**
 * The landing-page flow (flows.md §1 with `landing_page`): register with name, email and phone, the
 * user finishes KYC on Privy's page, Privy verifies, the app follows the status to `verified`.
 *
 *   npm start                                   # prints a user token
 *   GATEWAY_TOKEN=<token> npm run example:landing-page -w @privy-gateway/client
 */
import {
  createGatewayClient,
  type GatewayClient,
  GatewayError,
  type Registration,
} from '@privy-gateway/client'
import { isMain, settingsFromEnvironment, simulator, waitFor } from './support.js'

export interface FlowOptions {
  /** The simulator's address; by default the origin of `registration_url`, which it serves. */
  simulatorUrl?: string | undefined
  log?: (line: string) => void
}

export interface LandingPageResult {
  registration: Registration
  /** Where the simulator answered (the signing example reads the signer's OTP there). */
  simulatorUrl: string
}

export async function landingPageFlow(
  client: GatewayClient,
  options: FlowOptions = {},
): Promise<LandingPageResult> {
  const log = options.log ?? console.log
  // A new email each run: one live registration per person (email + phone) and caller.
  const created = await client.registrations.create({
    registration_type: 'landing_page',
    name: 'Siti Aminah',
    email: `siti.${Date.now().toString(36)}@example.co.id`,
    phone: '6281234567890',
  })
  log(`registered ${created.id}: ${created.status}, next action ${created.next_action}`)
  if (created.registration_url === null) throw new Error('a landing-page registration has a registration_url')

  // The app opens registration_url for the user. With the simulator, its /__sim routes stand in for
  // the user pressing "Finish" and for Privy's verification.
  const simulatorUrl = options.simulatorUrl ?? new URL(created.registration_url).origin
  const sim = simulator(simulatorUrl)
  await sim.post(`/__sim/registrations/${created.reference_number}/finish-landing`)
  await sim.post(`/__sim/registrations/${created.reference_number}/verify`, { outcome: 'verified' })

  // The app follows next_action: `wait` until Privy has decided (a webhook says so too).
  const settled = await waitFor(
    () => client.registrations.get(created.id, { refresh: true }),
    (registration) => registration.status === 'verified' || registration.status === 'rejected',
  )
  log(`registration ${settled.id}: ${settled.status}, privy_id ${settled.privy_id}`)
  return { registration: settled, simulatorUrl }
}

if (isMain(import.meta.url)) {
  const { baseUrl, token, simulatorUrl } = settingsFromEnvironment()
  const client = createGatewayClient({ baseUrl, token })
  await landingPageFlow(client, { simulatorUrl }).catch((error: unknown) => {
    // Every refusal carries a stable code and the request id to quote.
    if (error instanceof GatewayError)
      console.error(`${error.code} (request ${error.requestId}): ${error.detail}`)
    else console.error(error)
    process.exitCode = 1
  })
}
