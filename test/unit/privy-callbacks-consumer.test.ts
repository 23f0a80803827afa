import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEV_PII_KEYS } from '../../src/config/config.js'
import type { Database } from '../../src/db/database.js'
import { AppError } from '../../src/errors/app-error.js'
import { createPiiCipher, piiKeyFromBase64 } from '../../src/lib/pii-crypto.js'
import { createLogger } from '../../src/logging.js'
import { createLimitsRepository } from '../../src/modules/limits/limits.repository.js'
import { createLimitsService } from '../../src/modules/limits/limits.service.js'
import { createCallbackRepository } from '../../src/modules/privy-callbacks/callback.repository.js'
import {
  type CallbackApplyPolicy,
  callbackBodyContext,
  createCallbackService,
} from '../../src/modules/privy-callbacks/callback.service.js'
import { privyTimestamp, signatureFor } from '../../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import { openTestDatabase } from '../helpers/database.js'
import { LogCapture } from '../helpers/log-capture.js'

/**
 * The consumer side of the callback store, with the real repository on a real database
 * (PostgreSQL when DATABASE_URL is set, else PGlite) and the state machines replaced by fakes that
 * fail, block or count on demand. Sweeps are called directly: nothing here waits on a timer.
 */

const pii = createPiiCipher({
  active: piiKeyFromBase64(DEV_PII_KEYS.encryptionKey),
  lookupKey: Buffer.from(DEV_PII_KEYS.lookupKey, 'base64'),
})

const now = () => new Date()
const CLIENT_IP = '127.0.0.1'

/** A lease or retry delay already in the past: the row is due for the next sweep at once. */
const DUE_NOW = -1000

let database: Database
let logs: LogCapture
let log: FastifyBaseLogger

beforeEach(async () => {
  database = await openTestDatabase()
  logs = new LogCapture()
  log = createLogger('debug', logs.stream)
})
afterEach(async () => {
  await database?.close()
})

type ApplyUpstream = (reference: string, upstream: { status: string }) => Promise<boolean>

function service(applyUpstream: ApplyUpstream, policy: Partial<CallbackApplyPolicy> = {}) {
  return createCallbackService({
    repository: createCallbackRepository(database.prisma),
    registrations: { applyUpstream: applyUpstream as never },
    documents: {
      applyCallback: async () => {
        throw new Error('no document callbacks in this test')
      },
    },
    pii,
    credentials: DEV_CREDENTIALS,
    limits: createLimitsService({ repository: createLimitsRepository(database.prisma), pii, now }),
    rejected: { storedPerAddressPerHour: 100, storedPerHour: 1000 },
    now,
    policy: { retryDelayMs: () => DUE_NOW, ...policy },
  })
}

function signed(body: Record<string, unknown>, secret: string = DEV_CREDENTIALS.apiSecret) {
  const timestamp = privyTimestamp(new Date())
  return {
    raw: Buffer.from(JSON.stringify(body), 'utf8'),
    headers: {
      timestamp,
      signature: signatureFor({ apiKey: DEV_CREDENTIALS.apiKey, apiSecret: secret }, timestamp, body),
    },
  }
}

const verifiedBody = (reference: string) => ({
  event: 'register',
  data: { reference_number: reference, status: 'verified', privy_id: 'PRIVY01' },
})

/** Counts calls per reference number; fails the first `failures` calls of each. */
function countingApply(failures = 0) {
  const calls = new Map<string, number>()
  const apply: ApplyUpstream = async (reference) => {
    const count = (calls.get(reference) ?? 0) + 1
    calls.set(reference, count)
    if (count <= failures) throw new Error('connection terminated unexpectedly')
    return true
  }
  return { apply, calls }
}

const rowOf = (reference: string) =>
  database.prisma.privyCallback.findFirstOrThrow({ where: { referenceNumber: reference } })

describe('the callback consumer', () => {
  it('a callback whose apply fails in the request stays received and is applied by the sweep', async () => {
    const { apply, calls } = countingApply(1)
    const callbacks = service(apply)
    const { raw, headers } = signed(verifiedBody('REG-RETRY'))

    expect(await callbacks.receive({ raw, headers, ip: CLIENT_IP }, log)).toEqual({
      received: true,
      applied: false,
      duplicate: false,
    })
    const waiting = await rowOf('REG-RETRY')
    expect(waiting).toMatchObject({ state: 'received', attempts: 1, signatureValid: true, processedAt: null })
    expect(waiting.error).toContain('connection terminated unexpectedly')

    // A redelivery meanwhile is a duplicate: it does not apply, the sweep does.
    expect((await callbacks.receive({ raw, headers, ip: CLIENT_IP }, log)).duplicate).toBe(true)
    expect(calls.get('REG-RETRY')).toBe(1)

    expect(await callbacks.sweep(log)).toBe(1)
    const applied = await rowOf('REG-RETRY')
    expect(applied).toMatchObject({ state: 'applied', attempts: 2, error: null })
    expect(applied.processedAt).toBeInstanceOf(Date)
    expect(await callbacks.sweep(log)).toBe(0)
    expect(calls.get('REG-RETRY')).toBe(2)
  })

  it('gives up after maxAttempts as failed, and an operator reapply then applies it', async () => {
    let healthy = false
    const calls: string[] = []
    const callbacks = service(
      async (reference) => {
        calls.push(reference)
        if (!healthy) throw new Error('deadlock detected')
        return true
      },
      { maxAttempts: 3 },
    )
    const { raw, headers } = signed(verifiedBody('REG-GIVE-UP'))
    await callbacks.receive({ raw, headers, ip: CLIENT_IP }, log)
    expect(await callbacks.sweep(log)).toBe(1)
    expect(await callbacks.sweep(log)).toBe(1)
    const failed = await rowOf('REG-GIVE-UP')
    expect(failed).toMatchObject({ state: 'failed', attempts: 3 })
    expect(failed.error).toBe('Gave up after 3 attempts: Error: deadlock detected')
    expect(await callbacks.sweep(log)).toBe(0)
    expect(calls).toHaveLength(3)

    healthy = true
    const reapplied = await callbacks.reapply(failed.id, log)
    expect(reapplied).toMatchObject({ id: failed.id, state: 'applied', attempts: 4, error: null })
    await expect(callbacks.reapply(failed.id, log)).rejects.toMatchObject({
      code: 'CALLBACK_NOT_REAPPLICABLE',
      options: { detail: 'This callback is already applied' },
    })
    expect(calls).toHaveLength(4)
  })

  it('a rejected callback is kept, never applied, not by the sweep nor by an operator', async () => {
    const { apply, calls } = countingApply()
    const callbacks = service(apply)
    const { raw, headers } = signed(verifiedBody('REG-FORGED'), 'not-the-secret')

    const refused = await callbacks
      .receive({ raw, headers, ip: CLIENT_IP }, log)
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ code: 'UNAUTHENTICATED', message: 'The Signature does not match' })
    const kept = await rowOf('REG-FORGED')
    expect(kept).toMatchObject({
      state: 'rejected',
      signatureValid: false,
      error: 'The Signature does not match',
      event: 'register',
      attempts: 0,
    })
    expect(await callbacks.sweep(log)).toBe(0)
    await expect(callbacks.reapply(kept.id, log)).rejects.toMatchObject({ code: 'CALLBACK_NOT_REAPPLICABLE' })
    expect(calls.size).toBe(0)

    // The genuine delivery of the very same bytes is not mistaken for a duplicate of the forgery.
    const genuine = signed(verifiedBody('REG-FORGED'))
    expect(genuine.raw.equals(raw)).toBe(true)
    expect(await callbacks.receive({ ...genuine, ip: CLIENT_IP }, log)).toEqual({
      received: true,
      applied: true,
      duplicate: false,
    })
    expect(calls.get('REG-FORGED')).toBe(1)
  })

  it('a holder whose lease expired cannot settle what another holder took over', async () => {
    let release: (applied: boolean) => void = () => {}
    let started: () => void = () => {}
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve
    })
    let calls = 0
    const apply: ApplyUpstream = async () => {
      calls += 1
      if (calls > 1) return true
      started()
      return new Promise<boolean>((resolve) => {
        release = resolve
      })
    }
    // The first holder's lease is over before it even starts: another sweep may take the row.
    const slow = service(apply, { leaseMs: DUE_NOW })
    const other = service(apply)
    const { raw, headers } = signed(verifiedBody('REG-LEASE'))
    const answer = slow.receive({ raw, headers, ip: CLIENT_IP }, log)
    await firstStarted

    expect(await other.sweep(log)).toBe(1)
    expect(await rowOf('REG-LEASE')).toMatchObject({ state: 'applied', attempts: 2 })
    release(true)
    expect(await answer).toEqual({ received: true, applied: false, duplicate: false })
    expect(await rowOf('REG-LEASE')).toMatchObject({ state: 'applied', attempts: 2 })
    const processed = logs.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'privy callback processed')
    expect(processed.map((line) => [line.attempt, line.kept])).toEqual([
      [2, true],
      [1, false],
    ])
  })

  it('two consumers on one database drain a backlog, each callback applied exactly once', async () => {
    const repository = createCallbackRepository(database.prisma)
    const references = Array.from({ length: 40 }, (_, index) => `REG-BACKLOG-${index}`)
    for (const reference of references) {
      const id = randomUUID()
      const raw = Buffer.from(JSON.stringify(verifiedBody(reference)))
      const sealed = pii.seal(raw, callbackBodyContext(id))
      // As a crashed instance leaves them: received, with a lease that has run out.
      await repository.insertVerified(
        {
          id,
          canonicalSha256: randomUUID(),
          event: 'register',
          referenceNumber: reference,
          bodyKeyId: sealed.keyId,
          bodyEncrypted: sealed.data,
          sizeBytes: raw.length,
        },
        DUE_NOW,
      )
    }
    const { apply, calls } = countingApply()
    const first = service(apply, { batchSize: 3 })
    const second = service(apply, { batchSize: 3 })
    let swept = 0
    for (let round = 0; round < 100; round += 1) {
      const [a, b, c, d] = await Promise.all([
        first.sweep(log),
        second.sweep(log),
        first.sweep(log),
        second.sweep(log),
      ])
      swept += a + b + c + d
      if (a + b + c + d === 0) break
    }
    expect(swept).toBe(references.length)
    expect(references.map((reference) => calls.get(reference))).toEqual(references.map(() => 1))
    const states = await database.prisma.privyCallback.groupBy({ by: ['state', 'attempts'], _count: true })
    expect(states).toEqual([{ state: 'applied', attempts: 2, _count: references.length }])
  })
})
