import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fp from 'fastify-plugin'
import type { GatewayMetrics } from './metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** `http://host:port/metrics` once the metrics listener is up; undefined when METRICS_PORT is unset. */
    metricsUrl: () => string | undefined
  }
}

export interface ObservabilityPluginOptions {
  metrics: GatewayMetrics
  /** The metrics listener (METRICS_PORT, METRICS_HOST); none when `port` is undefined. */
  listen: { port?: number; host: string }
}

/** Requests the router matched no route for share one series instead of one per probed URL. */
const UNMATCHED = 'unmatched'

/**
 * Prometheus metrics, registered before the routes: one histogram observe per HTTP request, and `GET /metrics` on a listener of its
 * own (METRICS_PORT). A port of its own because the scrape is for the operator's network only: it is
 * never published with the public API, Prometheus needs no API key for it, and a scrape never queues
 * behind user traffic or counts in the request metrics it reports.
 */
export const observabilityPlugin = fp<ObservabilityPluginOptions>(
  async (app, options) => {
    const { metrics } = options

    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(
        request.method,
        request.routeOptions.url ?? UNMATCHED,
        reply.statusCode,
        reply.elapsedTime / 1000,
      )
      done()
    })

    let server: Server | undefined
    app.decorate('metricsUrl', () => {
      const address = server?.address() as AddressInfo | null | undefined
      if (!address) return undefined
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      return `http://${host}:${address.port}/metrics`
    })
    const { port, host } = options.listen
    if (port === undefined) return
    // Opened when the app is ready (onListen hooks are not awaited, and a port that cannot be bound
    // must fail the start); only when METRICS_PORT is set, so tools that build the app open none.
    app.addHook('onReady', async () => {
      server = createServer((request, response) => {
        if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n')
          return
        }
        metrics.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          (error: unknown) => {
            app.log.error({ err: error }, 'metrics scrape failed')
            response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics scrape failed\n')
          },
        )
      })
      const listening = server
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, host, () => {
          listening.off('error', reject)
          resolve()
        })
      })
      app.log.info({ metrics: app.metricsUrl() }, 'Prometheus metrics listening')
    })
    app.addHook('onClose', async () => {
      const open = server
      if (!open?.listening) return
      open.closeAllConnections()
      await new Promise<void>((resolve) => open.close(() => resolve()))
    })
  },
  { name: 'observability' },
)
