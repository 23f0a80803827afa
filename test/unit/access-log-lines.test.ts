import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging.js'
import { GatewayLogController } from '../../src/plugins/log-controller.js'
import { LogCapture } from '../helpers/log-capture.js'

// The request lines as the gateway writes them (src/plugins/log-controller.ts), over a real socket.
let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

interface Line {
  level: number
  msg: string
  reqId?: string
  req?: { method: string; url: string; request_id: string }
  res?: { statusCode: number }
  responseTime?: number
}

async function serve(level: string): Promise<{ base: string; logs: LogCapture }> {
  const logs = new LogCapture()
  const logger: FastifyBaseLogger = createLogger(level, logs.stream)
  const server = Fastify({ loggerInstance: logger, logController: new GatewayLogController() })
  app = server
  server.get('/v1/things/:id', async () => ({ ok: true }))
  server.post('/v1/things', async () => ({ ok: true }))
  await server.listen({ host: '127.0.0.1', port: 0 })
  return { base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, logs }
}

const requestLines = (logs: LogCapture) =>
  logs.lines.map((line) => JSON.parse(line) as Line).filter((line) => line.reqId !== undefined)

describe('request log lines', () => {
  it('a request without a body writes one line at info, with the request, the answer and its time', async () => {
    const { base, logs } = await serve('info')
    const answer = await request(`${base}/v1/things/abc?refresh=true&nik=3201234567890001`)
    await answer.body.dump()
    await app?.close()
    const lines = requestLines(logs)
    expect(lines).toHaveLength(1)
    const [line] = lines
    expect(line?.msg).toBe('request completed')
    expect(line?.req).toMatchObject({ method: 'GET', url: '/v1/things/abc?refresh=true&nik=[redacted]' })
    expect(line?.req?.request_id).toBe(line?.reqId)
    expect(line?.res).toEqual({ statusCode: 200 })
    expect(typeof line?.responseTime).toBe('number')
    expect(logs.text()).not.toContain('3201234567890001')
  })

  it('a request with a body is also announced when it arrives', async () => {
    const { base, logs } = await serve('info')
    const answer = await request(`${base}/v1/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    await answer.body.dump()
    await app?.close()
    expect(requestLines(logs).map((line) => line.msg)).toEqual(['incoming request', 'request completed'])
  })

  it('at debug every request is announced as before', async () => {
    const { base, logs } = await serve('debug')
    const answer = await request(`${base}/v1/things/abc`)
    await answer.body.dump()
    await app?.close()
    const lines = requestLines(logs)
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed'])
    expect(lines[0]?.req?.url).toBe('/v1/things/abc')
  })
})
