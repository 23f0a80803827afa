import { describe, expect, it } from 'vitest'
import { type IdempotencyKeyRef, idempotencyKeyTake } from '../../src/modules/idempotency/index.js'

/**
 * A key taken in an operation's transaction must be taken in `keyTakingTransaction`, which undoes the
 * take when that transaction fails: a take in a plain `$transaction` would leave the request believing
 * it holds a key its rollback removed, and its settle would hit a concurrent request's row
 * (test/integration/idempotency-claim.test.ts shows that race through the routes).
 */
describe('idempotencyKeyTake', () => {
  const untakenRef = (): IdempotencyKeyRef => ({
    ownerId: 'user:take',
    key: 'k-1',
    untaken: {
      row: {
        ownerId: 'user:take',
        key: 'k-1',
        operation: 'registrations.create',
        fingerprint: 'f',
        lockedUntil: new Date(),
        createdAt: new Date(),
        expiresAt: new Date(),
      },
      taken: false,
    },
  })

  it('refuses to take a key outside keyTakingTransaction', () => {
    expect(() => idempotencyKeyTake(untakenRef(), '2f4c3d8e-0000-4000-8000-000000000001')).toThrow(
      /outside keyTakingTransaction/,
    )
  })

  it('has nothing to take for a key claimed before the operation, or no key', () => {
    expect(idempotencyKeyTake({ ownerId: 'user:take', key: 'k-2' }, 'id')).toBeNull()
    expect(idempotencyKeyTake(undefined, 'id')).toBeNull()
  })
})
