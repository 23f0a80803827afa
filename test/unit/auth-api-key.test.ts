import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { type AuthAnswer, authApp, genericPart, whoami } from './auth-app.js'

/**
 * Operator API keys (X-API-Key): the key is hashed (SHA-256) and the digest compared with
 * `timingSafeEqual` against every configured hash, always, so neither the time taken nor the
 * number of comparisons tells how close a guess was or which key matched.
 */

const compared = vi.hoisted(() => ({ calls: [] as Array<[Buffer, Buffer]> }))

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.calls.push([
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      ])
      return actual.timingSafeEqual(a, b)
    },
  }
})

const KEYS = ['ops_first_key_0123456789abcdef', 'ops_second_key_fedcba9876543210']
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex')

let app: FastifyInstance

beforeAll(async () => {
  app = await authApp({
    jwt: { secret: 'unit-test-jwt-secret-that-is-long-enough-0123456789' },
    opsApiKeyHashes: KEYS.map(sha256),
  })
})
afterAll(async () => {
  await app?.close()
})
beforeEach(() => {
  compared.calls.length = 0
})

const withKey = (key: string) => whoami(app, { 'x-api-key': key })

function expectRefused(answer: AuthAnswer) {
  expect(answer.status).toBe(401)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  expect(answer.json).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })
}

/** Every configured hash was compared, each time as two 32-byte digests. */
function expectConstantTimeComparisons() {
  expect(compared.calls).toHaveLength(KEYS.length)
  for (const [given, configured] of compared.calls) {
    expect(given.length).toBe(32)
    expect(configured.length).toBe(32)
  }
}

describe('X-API-Key', () => {
  it('accepts each configured key, comparing the digest with every hash in constant time', async () => {
    for (const key of KEYS) {
      compared.calls.length = 0
      const answer = await withKey(key)
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ kind: 'operator', operatorId: sha256(key).slice(0, 12) })
      expectConstantTimeComparisons()
    }
  })

  it('refuses a wrong key, a near miss, the hash itself and a very long key, with the same body', async () => {
    const reference = await withKey('wrong')
    expectRefused(reference)
    for (const key of [
      'ops_first_key_0123456789abcdeF',
      (KEYS[0] ?? '').slice(0, -1),
      `${KEYS[0]}x`,
      sha256(KEYS[0] ?? ''),
      'k'.repeat(8 * 1024),
    ]) {
      compared.calls.length = 0
      const answer = await withKey(key)
      expectRefused(answer)
      expect(genericPart(answer)).toEqual(genericPart(reference))
      // Whatever the length of the guess, the comparison is over equal-length digests.
      expectConstantTimeComparisons()
    }
  })

  it('refuses an empty key without comparing anything', async () => {
    expectRefused(await withKey(''))
    expect(compared.calls).toHaveLength(0)
  })

  it('is not read from the query string', async () => {
    for (const query of [`api_key=${KEYS[0]}`, `x-api-key=${KEYS[0]}`, `apiKey=${KEYS[0]}`]) {
      const response = await app.inject({ method: 'GET', url: `/whoami?${query}` })
      expect(response.statusCode).toBe(401)
    }
  })

  it('never echoes the key it was sent', async () => {
    const key = `ops_probe_${'z'.repeat(40)}`
    const response = await app.inject({ method: 'GET', url: '/whoami', headers: { 'x-api-key': key } })
    expect(response.body).not.toContain(key)
  })
})
