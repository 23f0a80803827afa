import { DEV_CREDENTIALS } from '../privy/index.js'

// They live with the SDK, which both the simulator and the gateway's config depend on: the config
// must not import the simulator.
export { DEV_CREDENTIALS }

/** The gateway's PRIVY_* environment for a simulator at `baseUrl` (tests, benchmarks, compose). */
export function simulatorPrivyEnv(baseUrl: string): Record<string, string> {
  return {
    PRIVY_BASE_URL: baseUrl,
    PRIVY_CLIENT_ID: DEV_CREDENTIALS.clientId,
    PRIVY_CLIENT_SECRET: DEV_CREDENTIALS.clientSecret,
    PRIVY_API_KEY: DEV_CREDENTIALS.apiKey,
    PRIVY_API_SECRET: DEV_CREDENTIALS.apiSecret,
    PRIVY_CHANNEL_ID: DEV_CREDENTIALS.channelId,
    PRIVY_ENTERPRISE_PRIVY_ID: DEV_CREDENTIALS.enterprisePrivyId,
    PRIVY_ENTERPRISE_TOKEN: DEV_CREDENTIALS.enterpriseToken,
  }
}
