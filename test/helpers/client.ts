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
  const send = options.fetch ?? ((request: Request) => fetch(request))
  const keepText = async (request: Request) => {
    const response = await send(request)
    // Read lazily: a test that never asks costs a tee, not a wait.
    const text = response.clone().text()
    text.catch(() => undefined)
    texts.set(response, text)
    return response
  }
  return createGatewayClient({ baseUrl: gateway.url, maxRetries: 0, ...auth, ...options, fetch: keepText })
}

const texts = new WeakMap<Response, Promise<string>>()

/**
 * The body of a response from a `clientFor` client exactly as the gateway sent it: the client parses
 * bodies, and a replay test compares bytes (`Idempotent-Replayed` answers are the first answer, byte for byte).
 */
export async function textOf(response: Response): Promise<string> {
  const text = texts.get(response)
  if (!text) throw new Error('textOf: not a response of a clientFor client')
  return text
}

/**
 * A `client.raw` answer (`{data, error, response}`) with its status, headers and exact text at hand:
 * `answered(await client.raw.POST(...))`. `data` and `error` keep their types from the OpenAPI document.
 */
export async function answered<T extends { response: Response }>(answer: T) {
  const { response } = answer
  return { ...answer, status: response.status, headers: response.headers, text: await textOf(response) }
}
