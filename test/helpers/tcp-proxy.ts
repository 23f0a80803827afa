import { createServer, type Server, Socket } from 'node:net'

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1); it stays the same across cut() and restore(). */
  port: number
  /** `url` (a DATABASE_URL, an http:// base URL) with its host and port replaced by the proxy's. */
  rewrite(url: string): string
  /** How many client connections are open through the proxy right now. */
  openConnections(): number
  /**
   * The target "dies": every open connection is cut (with a TCP reset when `reset`, else a plain
   * close) and new connections are refused, until restore().
   */
  cut(options?: { reset?: boolean }): Promise<void>
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>
  /**
   * The network stalls: what clients send from now on is kept instead of forwarded (connections
   * stay open, answers already on their way still arrive), until release().
   */
  hold(): void
  /** Everything kept since hold(), in arrival order across connections: a test reads what is waiting. */
  held(): Buffer
  /** Forwards what was kept, and from then on forwards again. */
  release(): void
  close(): Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
  /** Chunks from the client kept while holding; `null` is the client's end of stream. */
  kept: Array<Buffer | null>
}

/**
 * A TCP proxy to `target` that a test can cut like a dead server or stall like a slow network: put
 * between the gateway and PostgreSQL, or between the gateway and Privy, it shows what a request
 * sees when the other side goes away, or gives a test a window that does not depend on timing.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let holding = false
  let heldChunks: Buffer[] = []

  const forward = (pair: Pair, chunk: Buffer | null) => {
    if (chunk === null) pair.upstream.end()
    else pair.upstream.write(chunk)
  }

  const server: Server = createServer((client) => {
    const upstream = new Socket()
    const pair: Pair = { client, upstream, kept: [] }
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    // A test proxy moves little data: writes are buffered rather than paced.
    client.on('data', (chunk: Buffer) => {
      if (holding) {
        pair.kept.push(chunk)
        heldChunks.push(chunk)
      } else forward(pair, chunk)
    })
    client.on('end', () => {
      if (holding) pair.kept.push(null)
      else forward(pair, null)
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    upstream.on('end', () => client.end())
    upstream.connect(target.port, target.host)
  })

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        const address = server.address()
        resolve(typeof address === 'object' && address ? address.port : 0)
      })
    })
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      // close() calls back once every connection has ended too: callers cut them right after.
      server.close(() => resolve())
    })

  const port = await listen(0)

  const cutAll = (reset: boolean) => {
    for (const { client, upstream } of [...pairs]) {
      if (reset) client.resetAndDestroy()
      else client.destroy()
      upstream.destroy()
    }
    pairs.clear()
  }

  return {
    port,
    rewrite: (url) => {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '')
    },
    openConnections: () => pairs.size,
    cut: async (options = {}) => {
      const closed = stopListening()
      cutAll(options.reset === true)
      await closed
    },
    restore: async () => {
      if (!server.listening) await listen(port)
    },
    hold: () => {
      holding = true
    },
    held: () => Buffer.concat(heldChunks),
    release: () => {
      holding = false
      heldChunks = []
      for (const pair of pairs) {
        for (const chunk of pair.kept.splice(0)) forward(pair, chunk)
      }
    },
    close: async () => {
      const closed = stopListening()
      cutAll(false)
      await closed
    },
  }
}
