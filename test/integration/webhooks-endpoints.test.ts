import { randomUUID } from 'node:crypto'
import type { CreateWebhookEndpointRequest, GatewayClient } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientFor } from '../helpers/client.js'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'

/** Every signing secret the API handed out: none may show up anywhere but in the answer that made it. */
const handedOut: string[] = []

const gateway = useGateway({ WEBHOOK_DISPATCH_INTERVAL_MS: '50' })

const operator = { apiKey: TEST_API_KEY }

async function createEndpoint(body: Record<string, unknown> = {}) {
  const created = await gateway.call('POST', '/v1/webhook-endpoints', {
    ...operator,
    body: { url: 'https://merchant.example.co.id/hooks/privy', ...body },
  })
  if (created.json?.secret) handedOut.push(created.json.secret)
  return created
}

/** A raw `gateway.call` result, or a typed client's `raw` answer. */
type Answer =
  | { status: number; headers: Record<string, unknown>; json: { code?: string } }
  | { response: Response; error?: { code?: string } }

function expectProblem(result: Answer, status: number, code: string) {
  const [actual, contentType, problem] =
    'response' in result
      ? [result.response.status, result.response.headers.get('content-type'), result.error]
      : [result.status, result.headers['content-type'], result.json]
  expect(actual).toBe(status)
  expect(String(contentType)).toContain('application/problem+json')
  expect(problem?.code).toBe(code)
}

/** The operator's typed client, for the calls whose input is well formed. */
const operatorClient = () => clientFor(gateway, 'operator')
const endpoint = (id: string) => ({ params: { path: { id } } })

describe('webhook endpoints: register, read, change, rotate, delete', () => {
  let ops: GatewayClient
  beforeAll(async () => {
    ops = await clientFor(gateway, 'operator')
  })
  /** Through the typed client; the secret it hands out joins those that must not leak. */
  async function registered(body: Partial<CreateWebhookEndpointRequest> = {}) {
    const created = await ops.webhookEndpoints
      .create({ url: 'https://merchant.example.co.id/hooks/privy', ...body })
      .withResponse()
    handedOut.push(created.data.secret)
    return created
  }

  it('registers an endpoint and shows its secret once', async () => {
    const { data: created, response } = await registered({
      description: 'Back office',
      event_types: ['registration.updated', 'registration.updated'],
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('location')).toBe(`/v1/webhook-endpoints/${created.id}`)
    expect(created).toMatchObject({
      url: 'https://merchant.example.co.id/hooks/privy',
      description: 'Back office',
      event_types: ['registration.updated'],
      enabled: true,
      disabled_reason: null,
      failing_since: null,
    })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(created.signing_secrets).toHaveLength(1)
    expect(created.signing_secrets[0]).toEqual({ created_at: expect.any(String), expires_at: null })

    const read = await ops.webhookEndpoints.get(created.id).withResponse()
    expect(read.response.status).toBe(200)
    expect((read.data as { secret?: string }).secret).toBeUndefined()
    expect(JSON.stringify(read.data)).not.toContain(created.secret)
    expect(read.data).toMatchObject({ id: created.id, event_types: ['registration.updated'] })

    // Kept encrypted: a database dump alone does not reveal it.
    const rows = await gateway.database.prisma.webhookSecret.findMany({
      where: { endpointId: created.id },
    })
    expect(rows).toHaveLength(1)
    expect(rows[0]?.secret).not.toContain(created.secret.slice(6))
    expect(rows[0]?.secret).toMatch(/^sealed1:/)
  })

  it('lists endpoints newest first with a cursor', async () => {
    const ids: string[] = []
    for (let index = 0; index < 3; index++) ids.push((await registered()).data.id)
    const page = (query: { limit: number; cursor?: string }) =>
      ops.raw.GET('/v1/webhook-endpoints', { params: { query } })
    const first = await page({ limit: 2 })
    expect(first.response.status).toBe(200)
    expect(first.data?.data.map((endpoint) => endpoint.id)).toEqual([ids[2], ids[1]])
    expect(first.data?.next_cursor).toEqual(expect.any(String))
    const second = await page({ limit: 2, cursor: first.data?.next_cursor ?? '' })
    expect(second.data?.data[0]?.id).toBe(ids[0])
    for (const secret of handedOut) {
      expect(JSON.stringify(first.data)).not.toContain(secret)
      expect(JSON.stringify(second.data)).not.toContain(secret)
    }
  })

  it('changes url, description and event types, and disables and re-enables', async () => {
    const { data: created } = await registered({ description: 'old' })
    const changed = await ops.webhookEndpoints
      .update(created.id, {
        url: 'https://other.example.co.id/h',
        description: null,
        event_types: ['document.updated'],
      })
      .withResponse()
    expect(changed.response.status).toBe(200)
    expect(changed.data).toMatchObject({
      url: 'https://other.example.co.id/h',
      description: null,
      event_types: ['document.updated'],
      enabled: true,
    })
    const disabled = await ops.webhookEndpoints.update(created.id, { enabled: false })
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'disabled by an operator' })
    expect(disabled.disabled_at).toEqual(expect.any(String))
    const enabled = await ops.webhookEndpoints.update(created.id, { enabled: true })
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null })
    expect(JSON.stringify(changed.data)).not.toContain(created.secret)
  })

  it('rotates the secret: the new one shown once, the old one signing until it expires', async () => {
    const { data: created } = await registered()
    const rotated = await ops.webhookEndpoints
      .rotateSecret(created.id, { previous_secret_expires_in_seconds: 3600 })
      .withResponse()
    expect(rotated.response.status).toBe(200)
    handedOut.push(rotated.data.secret)
    expect(rotated.data.secret).toMatch(/^whsec_/)
    expect(rotated.data.secret).not.toBe(created.secret)
    expect(JSON.stringify(rotated.data)).not.toContain(created.secret)
    expect(rotated.data.signing_secrets).toHaveLength(2)
    expect(rotated.data.signing_secrets[0]?.expires_at).toBeNull()
    const expiresIn = Date.parse(rotated.data.signing_secrets[1]?.expires_at ?? '') - Date.now()
    expect(expiresIn).toBeGreaterThan(3500_000)
    expect(expiresIn).toBeLessThanOrEqual(3600_000)

    // Without a body: the previous secret keeps signing for the default day.
    // Raw: the typed client always sends a body.
    const again = await gateway.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, operator)
    expect(again.status).toBe(200)
    handedOut.push(again.json.secret)
    expect(again.json.signing_secrets).toHaveLength(3)
    // 0 retires every previous secret at once.
    const now = await ops.webhookEndpoints.rotateSecret(created.id, { previous_secret_expires_in_seconds: 0 })
    handedOut.push(now.secret)
    expect(now.signing_secrets).toHaveLength(1)
  })

  it('deletes an endpoint', async () => {
    const { data: created } = await registered()
    const deleted = await ops.raw.DELETE('/v1/webhook-endpoints/{id}', {
      params: { path: { id: created.id } },
    })
    expect(deleted.response.status).toBe(204)
    expect(await deleted.response.text()).toBe('')
    expectProblem(await ops.raw.GET('/v1/webhook-endpoints/{id}', endpoint(created.id)), 404, 'NOT_FOUND')
    expectProblem(await ops.raw.DELETE('/v1/webhook-endpoints/{id}', endpoint(created.id)), 404, 'NOT_FOUND')
  })
})

describe('webhook routes: bad input answers a clear problem', () => {
  const hostile = [
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/',
    'http://[fe80::1]/',
    'http://0.0.0.0:8080/',
    'https://user:pass@merchant.example.co.id/',
    'https://user@merchant.example.co.id/',
  ]

  it.each(hostile)('refuses the endpoint URL %s (422, field url)', async (url) => {
    const result = await createEndpoint({ url })
    expectProblem(result, 422, 'WEBHOOK_URL_NOT_ALLOWED')
    expect(result.json.errors).toEqual([{ path: 'url', message: expect.any(String) }])
    expect(result.json.secret).toBeUndefined()
  })

  it.each([
    'file:///etc/passwd',
    'ftp://merchant.example.co.id/',
    'javascript:alert(1)',
    'merchant.example.co.id/hook',
    '',
    `https://merchant.example.co.id/${'a'.repeat(10 * 1024)}`,
  ])('refuses the malformed URL %s (400, field url)', async (url) => {
    const result = await createEndpoint({ url })
    expectProblem(result, 400, 'VALIDATION_FAILED')
    expect(result.json.errors.map((error: { path: string }) => error.path)).toContain('url')
    expect(result.text.length).toBeLessThan(4000)
  })

  it('refuses a hostile URL on PATCH too', async () => {
    const created = await createEndpoint()
    const client = await operatorClient()
    const result = await client.raw.PATCH('/v1/webhook-endpoints/{id}', {
      ...endpoint(created.json.id),
      body: { url: 'http://169.254.169.254/' },
    })
    expectProblem(result, 422, 'WEBHOOK_URL_NOT_ALLOWED')
    const read = await client.webhookEndpoints.get(created.json.id)
    expect(read.url).toBe('https://merchant.example.co.id/hooks/privy')
  })

  it('refuses missing, unknown and mistyped fields', async () => {
    const missing = await gateway.call('POST', '/v1/webhook-endpoints', { ...operator, body: {} })
    expectProblem(missing, 400, 'VALIDATION_FAILED')
    expect(missing.json.errors.map((error: { path: string }) => error.path)).toContain('url')

    const unknownType = await createEndpoint({ event_types: ['registration.updated', 'payment.captured'] })
    expectProblem(unknownType, 400, 'VALIDATION_FAILED')
    expect(unknownType.json.errors.map((error: { path: string }) => error.path)).toContain('event_types.1')

    const extra = await createEndpoint({ secret: 'whsec_mine' })
    expectProblem(extra, 400, 'VALIDATION_FAILED')
    const wrongType = await createEndpoint({ event_types: 'registration.updated' })
    expectProblem(wrongType, 400, 'VALIDATION_FAILED')
    const longDescription = await createEndpoint({ description: 'x'.repeat(501) })
    expectProblem(longDescription, 400, 'VALIDATION_FAILED')
    // A NUL cannot be stored in PostgreSQL text: refused up front, not a 500 from the database.
    const withNul = await createEndpoint({ description: 'back\u0000office' })
    expectProblem(withNul, 400, 'VALIDATION_FAILED')

    const created = await createEndpoint()
    const client = await operatorClient()
    const empty = await client.raw.PATCH('/v1/webhook-endpoints/{id}', {
      ...endpoint(created.json.id),
      body: {},
    })
    expectProblem(empty, 400, 'VALIDATION_FAILED')
    const badExpiry = await client.raw.POST('/v1/webhook-endpoints/{id}/rotate-secret', {
      ...endpoint(created.json.id),
      body: { previous_secret_expires_in_seconds: -1 },
    })
    expectProblem(badExpiry, 400, 'VALIDATION_FAILED')
  })

  it('refuses malformed JSON, a wrong content type and an oversized body', async () => {
    const malformed = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      rawBody: '{"url": "https://x.example',
      headers: { 'content-type': 'application/json' },
    })
    expectProblem(malformed, 400, 'MALFORMED_BODY')
    const text = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      rawBody: 'url=https://x.example',
      headers: { 'content-type': 'text/plain' },
    })
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE')
    const oversized = await gateway.call('POST', '/v1/webhook-endpoints', {
      ...operator,
      body: { url: 'https://merchant.example.co.id/', description: 'x'.repeat(64 * 1024) },
    })
    expectProblem(oversized, 413, 'PAYLOAD_TOO_LARGE')
  })

  it('refuses bad ids, filters and cursors', async () => {
    expectProblem(
      await gateway.call('GET', '/v1/webhook-endpoints/not-a-uuid', operator),
      400,
      'VALIDATION_FAILED',
    )
    const client = await operatorClient()
    const unknown = () => endpoint(randomUUID())
    for (const answer of [
      await client.raw.GET('/v1/webhook-endpoints/{id}', unknown()),
      await client.raw.PATCH('/v1/webhook-endpoints/{id}', { ...unknown(), body: { enabled: true } }),
      await client.raw.POST('/v1/webhook-endpoints/{id}/rotate-secret', { ...unknown(), body: {} }),
      await client.raw.GET('/v1/webhook-deliveries/{id}', unknown()),
      await client.raw.POST('/v1/webhook-deliveries/{id}/replay', unknown()),
    ])
      expectProblem(answer, 404, 'NOT_FOUND')
    for (const query of [
      'state=delivered',
      'event_type=payment.captured',
      'endpoint_id=x',
      'limit=0',
      'limit=101',
      'event_id=1',
      'cursor=bm9wZQ',
      'colour=red',
    ]) {
      expectProblem(
        await gateway.call('GET', `/v1/webhook-deliveries?${query}`, operator),
        400,
        'VALIDATION_FAILED',
      )
    }
  })
})

describe('webhook routes: who may call them', () => {
  const routes = (id: string): Array<[string, string, unknown?]> => [
    ['POST', '/v1/webhook-endpoints', { url: 'https://merchant.example.co.id/' }],
    ['GET', '/v1/webhook-endpoints'],
    ['GET', `/v1/webhook-endpoints/${id}`],
    ['PATCH', `/v1/webhook-endpoints/${id}`, { enabled: false }],
    ['DELETE', `/v1/webhook-endpoints/${id}`],
    ['POST', `/v1/webhook-endpoints/${id}/rotate-secret`, {}],
    ['GET', '/v1/webhook-deliveries'],
    ['GET', `/v1/webhook-deliveries/${id}`],
    ['POST', `/v1/webhook-deliveries/${id}/replay`],
  ]

  it('answers 401 without credentials and 404 to a user token, before reading the body', async () => {
    const created = await createEndpoint()
    const user = await gateway.userToken('user-curious')
    for (const [method, path, body] of routes(created.json.id)) {
      expectProblem(await gateway.call(method, path, { body }), 401, 'UNAUTHENTICATED')
      expectProblem(await gateway.call(method, path, { body, apiKey: 'wrong-key' }), 401, 'UNAUTHENTICATED')
      const asUser = await gateway.call(method, path, { body, token: user })
      expectProblem(asUser, 404, 'ROUTE_NOT_FOUND')
      // A user's malformed body is not even parsed.
      const garbage = await gateway.call(method, path, {
        token: user,
        rawBody: '{nope',
        headers: { 'content-type': 'application/json' },
      })
      expect(garbage.status).toBe(404)
    }
    // Nothing was changed by any of them.
    const read = await (await operatorClient()).webhookEndpoints.get(created.json.id)
    expect(read).toMatchObject({ enabled: true, signing_secrets: [expect.any(Object)] })
  })

  it('never writes a signing secret to the logs', () => {
    expect(handedOut.length).toBeGreaterThan(3)
    expect(gateway.logs.leaked([...handedOut, ...handedOut.map((secret) => secret.slice(6))])).toEqual([])
  })
})
