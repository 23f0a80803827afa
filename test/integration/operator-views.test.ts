import type { Registration } from '@privy-gateway/client'
import { beforeAll, describe, expect, it } from 'vitest'
import { register, registerLanding } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { TEST_API_KEY, useGateway } from '../helpers/gateway.js'

const gateway = useGateway()

/** `GET path` as `caller`: status and body, for the refusals the typed client would throw on. */
async function listRaw(caller: string, path: string) {
  const auth = caller === 'operator' ? { apiKey: TEST_API_KEY } : { token: await gateway.userToken(caller) }
  return gateway.call('GET', path, auth)
}

describe('operator filters on GET /v1/registrations', () => {
  let first: Registration
  let middle: Registration
  let last: Registration
  let full: Registration
  let other: Registration

  beforeAll(async () => {
    first = await registerLanding(gateway, 'ov-ayu')
    middle = await registerLanding(gateway, 'ov-ayu')
    last = await registerLanding(gateway, 'ov-ayu')
    full = await register(gateway, 'ov-ayu')
    other = await registerLanding(gateway, 'ov-budi')
  })

  it('an operator filters by owner and sees whose each one is; a user never sees owner', async () => {
    const operator = await clientFor(gateway, 'operator')
    const ayus = await operator.registrations.list({ owner: 'user:ov-ayu' }).toArray()
    expect(ayus.map((r) => r.id)).toEqual([full.id, last.id, middle.id, first.id])
    expect(new Set(ayus.map((r) => r.owner))).toEqual(new Set(['user:ov-ayu']))
    const budi = await operator.registrations.get(other.id)
    expect(budi.owner).toBe('user:ov-budi')

    const user = await clientFor(gateway, 'ov-ayu')
    const own = await user.registrations.list().toArray()
    expect(own.map((r) => r.id)).toEqual([full.id, last.id, middle.id, first.id])
    expect(own.every((r) => !('owner' in r))).toBe(true)
    expect('owner' in (await user.registrations.get(first.id))).toBe(false)
  })

  it('filters by type, status, reference number and creation time, combined', async () => {
    const operator = await clientFor(gateway, 'operator')
    const owner = 'user:ov-ayu'
    const landing = await operator.registrations.list({ owner, registration_type: 'landing_page' }).toArray()
    expect(landing.map((r) => r.id)).toEqual([last.id, middle.id, first.id])
    const ra = await operator.registrations.list({ owner, registration_type: 'privy_ra' }).toArray()
    expect(ra.map((r) => r.id)).toEqual([full.id])
    const pending = await operator.registrations.list({ owner, status: 'pending' }).toArray()
    expect(pending.every((r) => r.status === 'pending')).toBe(true)
    expect(pending.map((r) => r.id)).toContain(first.id)
    const none = await operator.registrations.list({ owner, status: 'verified' }).toArray()
    expect(none).toEqual([])

    const byReference = await operator.registrations
      .list({ reference_number: middle.reference_number })
      .toArray()
    expect(byReference.map((r) => r.id)).toEqual([middle.id])

    const since = await operator.registrations
      .list({ owner, registration_type: 'landing_page', created_after: middle.created_at })
      .toArray()
    expect(since.map((r) => r.id)).toEqual([last.id, middle.id])
    const before = await operator.registrations.list({ owner, created_before: middle.created_at }).toArray()
    expect(before.map((r) => r.id)).toEqual([first.id])
    const window = await operator.registrations
      .list({ owner, created_after: middle.created_at, created_before: last.created_at })
      .toArray()
    expect(window.map((r) => r.id)).toEqual([middle.id])
  })

  it('a filtered list pages by cursor without gaps or repeats', async () => {
    const operator = await clientFor(gateway, 'operator')
    const pages = []
    for await (const page of operator.registrations.list({ owner: 'user:ov-ayu', limit: 1 }).pages()) {
      expect(page.data.length).toBeLessThanOrEqual(1)
      pages.push(...page.data.map((r) => r.id))
    }
    expect(pages).toEqual([full.id, last.id, middle.id, first.id])
  })

  it('a user asking for another owner is refused, not silently scoped', async () => {
    const refused = await listRaw('ov-ayu', '/v1/registrations?owner=user:ov-budi')
    expect(refused.status).toBe(400)
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(refused.json.code).toBe('VALIDATION_FAILED')
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'query.owner' })])
  })

  it.each([
    ['status=bogus', 'query.status'],
    ['registration_type=kiosk', 'query.registration_type'],
    ['created_after=yesterday', 'query.created_after'],
    ['created_before=2026-13-01T00:00:00Z', 'query.created_before'],
    ['created_after=2026-12-02T00:00:00Z&created_before=2026-12-01T00:00:00Z', 'query.created_before'],
    ['owner=ov-ayu', 'query.owner'],
    [`owner=user:${'x'.repeat(300)}`, 'query.owner'],
    ['reference_number=REG%0A1', 'query.reference_number'],
    ['unknown_filter=1', 'query'],
  ])('bad filter %s answers 400 problem+json naming %s', async (query, path) => {
    const answer = await listRaw('operator', `/v1/registrations?${query}`)
    expect(answer.status, answer.text).toBe(400)
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(JSON.stringify(answer.json.errors ?? [])).toContain(path)
  })
})
