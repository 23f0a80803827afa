import { createServer, type IncomingHttpHeaders } from 'node:http'

/**
 * A merchant callback endpoint for tests (docs/privy-contract.md §6): records every POST exactly as received and
 * answers with a status the test chooses, so retries and duplicates can be observed.
 */

export interface ReceivedCallback {
  path: string
  headers: IncomingHttpHeaders
  /** The body bytes as received, decoded as UTF-8. */
  text: string
}

export interface CallbackReceiver {
  url: string
  readonly received: ReceivedCallback[]
  /** Statuses for the next requests in order; the last one stays for all later ones (default 200). */
  answerWith(...statuses: [number, ...number[]]): void
  /** Resolves once `count` callbacks arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>
  close(): Promise<void>
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = []
  let answers: number[] = [200]
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        text: Buffer.concat(chunks).toString('utf8'),
      })
      const status = answers.length > 1 ? answers.shift() : answers[0]
      response.writeHead(status ?? 200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('receiver is not on a TCP port')

  return {
    url: `http://127.0.0.1:${address.port}/callbacks/privy`,
    received,
    answerWith(...statuses) {
      answers = [...statuses]
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} callbacks within ${timeoutMs} ms, got ${received.length}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return received.slice(0, count)
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
    },
  }
}
