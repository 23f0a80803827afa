/**
 * Credentials the simulator accepts when nothing else is configured. They are public on purpose:
 * the simulator is a development and test tool, and the gateway's dev configuration uses the same
 * values so that both sides work out of the box.
 */
export const DEV_CREDENTIALS = {
  clientId: 'sim-client',
  clientSecret: 'sim-client-secret',
  apiKey: 'sim-api-key',
  apiSecret: 'sim-api-secret',
  channelId: 'SIM-CHANNEL',
  enterprisePrivyId: 'SIMENT01',
  enterpriseToken: 'sim-enterprise-token',
} as const

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
