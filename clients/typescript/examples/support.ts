/**
 * What the examples need besides the client: the simulator's `/__sim` test surface (which stands in
 * for the user's phone and for Privy's verification), and a bounded wait.
 */

export interface Simulator {
  post(path: string, body?: unknown): Promise<unknown>
  /** The code of the newest OTP the simulator "sent" that matches `query` (`GET /__sim/otps`). */
  otpCode(query: Record<string, string>): Promise<string>
}

export function simulator(baseUrl: string): Simulator {
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<unknown>
  }
  return {
    post: (path, body = {}) => send('POST', path, body),
    otpCode: async (query) => {
      const answer = (await send('GET', `/__sim/otps?${new URLSearchParams(query)}`)) as {
        otps: Array<{ code: string }>
      }
      const code = answer.otps.at(-1)?.code
      if (code === undefined) throw new Error(`the simulator sent no OTP for ${JSON.stringify(query)}`)
      return code
    },
  }
}

/** Reads until `done` holds, every `intervalMs`, for at most `timeoutMs`. */
export async function waitFor<T>(
  read: () => PromiseLike<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 1_000 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** The example's settings, from the environment, as `npm start` prints them. */
export function settingsFromEnvironment(env: Record<string, string | undefined> = process.env) {
  const token = env.GATEWAY_TOKEN?.replace(/^Bearer\s+/i, '')
  if (!token) {
    throw new Error(
      'set GATEWAY_TOKEN to the user token `npm start` prints (GATEWAY_URL, SIMULATOR_URL optional)',
    )
  }
  return {
    baseUrl: env.GATEWAY_URL ?? 'http://127.0.0.1:3000',
    token,
    simulatorUrl: env.SIMULATOR_URL,
  }
}

export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && new URL(moduleUrl).pathname === process.argv[1]
}
