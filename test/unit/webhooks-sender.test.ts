import { lookup } from 'node:dns/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWebhookSender, RESPONSE_EXCERPT_BYTES } from '../../src/modules/webhooks/webhooks.sender.js'
import { refusedAddress } from '../../src/modules/webhooks/webhooks.url-policy.js'

const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' }
let server: Server
let port: number
const paths: string[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    paths.push(request.url ?? '')
    if (request.url === '/big') return response.end('é'.repeat(10_000))
    if (request.url === '/redirect') {
      response.writeHead(307, { location: '/target' })
      return response.end()
    }
    if (request.url === '/slow') return
    response.writeHead(200)
    response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('the webhook sender', () => {
  const sender = createWebhookSender({ allowHttp: true, timeoutMs: 300 })
  afterAll(() => sender.close())

  it('keeps at most 1 KiB of the answer', async () => {
    const result = await sender.send(`http://127.0.0.1:${port}/big`, headers, '{}')
    expect(result.statusCode).toBe(200)
    expect(Buffer.byteLength(result.responseExcerpt ?? '')).toBeLessThanOrEqual(RESPONSE_EXCERPT_BYTES + 2)
    expect(result.responseExcerpt?.length).toBeGreaterThan(400)
  })

  it('never follows a redirect', async () => {
    const result = await sender.send(`http://127.0.0.1:${port}/redirect`, headers, '{}')
    expect(result.statusCode).toBe(307)
    expect(paths).not.toContain('/target')
  })

  it('gives up at its deadline', async () => {
    const result = await sender.send(`http://127.0.0.1:${port}/slow`, headers, '{}')
    expect(result).toMatchObject({ statusCode: null, error: 'no answer within 300 ms' })
  })

  it('refuses a host name that resolves to a private address when private hosts are not allowed', async () => {
    const name = hostname()
    const resolved = await lookup(name).catch(() => undefined)
    const strict = createWebhookSender({ allowHttp: false, timeoutMs: 300 })
    try {
      const result = await strict.send(`https://${name}:${port}/`, headers, '{}')
      if (resolved && refusedAddress(resolved.address, { allowHttp: false })) {
        expect(result).toMatchObject({
          statusCode: null,
          error: expect.stringMatching(/private or loopback/),
        })
        expect(paths.filter((path) => path === '/')).toEqual([])
      }
      const literal = await strict.send(`https://127.0.0.1:${port}/`, headers, '{}')
      expect(literal.error).toMatch(/private or loopback/)
      const plain = await strict.send(`http://example.com/`, headers, '{}')
      expect(plain.error).toMatch(/https/)
    } finally {
      await strict.close()
    }
  })
})
