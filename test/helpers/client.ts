import { createGatewayClient, type GatewayClient, type GatewayClientOptions } from '@privy-gateway/client'
import { TEST_API_KEY, type TestGateway } from './gateway.js'

/**
 * The typed client (clients/typescript) bound to a test gateway and one caller: a user by `sub`, a
 * user's own token, the test operator key, or nobody. Responses are typed from the committed
 * OpenAPI document, so a test reads `created.data.status`, not `any`.
 *
 * - `client.raw.GET/POST(...)` answers `{data, error, response}` and never throws or retries: use it
 *   to assert a status or a header exactly.
 * - The helpers (`client.registrations.create`, ...) throw GatewayError subclasses; `.withResponse()`
 *   gives the response too. Retries are off unless a test asks (`maxRetries`), so what a test sees is
 *   what the gateway answered.
 */
export type TestCaller = string | { token: string } | 'operator' | 'anonymous'

export async function clientFor(
  gateway: TestGateway,
  caller: TestCaller,
  options: Partial<GatewayClientOptions> = {},
): Promise<GatewayClient> {
  const auth: Pick<GatewayClientOptions, 'token' | 'apiKey'> =
    caller === 'operator'
      ? { apiKey: TEST_API_KEY }
      : caller === 'anonymous'
        ? {}
        : { token: typeof caller === 'string' ? await gateway.userToken(caller) : caller.token }
  return createGatewayClient({ baseUrl: gateway.url, maxRetries: 0, ...auth, ...options })
}
