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
