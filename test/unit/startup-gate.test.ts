import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { installErrorHandling } from '../../src/errors/error-handler.js'
import { healthRoutes } from '../../src/plugins/health.js'
import { installStartupGate } from '../../src/plugins/startup.js'

// The gate and the health routes as app.ts installs them, over a real socket, with the start-up held
// by a promise the test settles: server.ts listens before the database is open.
let app: FastifyInstance | undefined
let databaseQueried = 0

afterEach(async () => {
  await app?.close()
  app = undefined
})

async function startGated(started: Promise<void>): Promise<string> {
  app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandling(app)
  const startup = installStartupGate(app, started)
  await app.register(healthRoutes, {
    checks: {
      startup,
      database: async () => {
        databaseQueried++
      },
      migrations: async () => {},
    },
  })
  app.get('/v1/registrations', async () => ({ data: [] }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  json: { status?: string; code?: string; checks?: Record<string, string>; causes?: Record<string, string> }
}

async function get(base: string, path: string): Promise<Answer> {
  const response = await request(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
  return {
    status: response.statusCode,
    headers: response.headers,
    json: (await response.body.json()) as Answer['json'],
  }
}

function deferred() {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('the gateway while its database opens', () => {
  it('is live at once, not ready ("starting") and refuses other routes with 503 + Retry-After; then serves', async () => {
    const start = deferred()
    const base = await startGated(start.promise)
    databaseQueried = 0

    expect(await get(base, '/health/live')).toMatchObject({ status: 200, json: { status: 'ok' } })
    const ready = await get(base, '/health/ready')
    expect(ready.status).toBe(503)
    expect(ready.json).toEqual({
      status: 'unavailable',
      checks: { startup: 'failed', database: 'skipped', migrations: 'skipped' },
      causes: { startup: 'starting: the database is opening' },
    })
    // A probe must not wait on a database that is still opening.
    expect(databaseQueried).toBe(0)
    const refused = await get(base, '/v1/registrations')
    expect(refused.status).toBe(503)
    expect(refused.headers['content-type']).toContain('application/problem+json')
    expect(refused.headers['retry-after']).toBe('2')
    expect(refused.json).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })

    start.resolve()
    await start.promise
    expect(await get(base, '/health/ready')).toMatchObject({
      status: 200,
      json: { status: 'ok', checks: { startup: 'ok', database: 'ok', migrations: 'ok' } },
    })
    expect(await get(base, '/v1/registrations')).toMatchObject({ status: 200 })
  })

  it('says start-up failed, without the error, when opening the database failed', async () => {
    const start = deferred()
    const base = await startGated(start.promise)
    start.reject(new Error('ENOSPC: no space left on device, write /srv/data/base/1/1259'))
    await start.promise.catch(() => undefined)
    const ready = await get(base, '/health/ready')
    expect(ready.status).toBe(503)
    expect(ready.json.causes).toEqual({ startup: 'start-up failed: see the log' })
    expect(JSON.stringify(ready.json)).not.toContain('ENOSPC')
    expect((await get(base, '/v1/registrations')).status).toBe(503)
  })
})
