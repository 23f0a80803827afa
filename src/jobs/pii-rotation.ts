import type { Database } from '../db/database.js'
import type { PiiCipher } from '../lib/pii-crypto.js'
import { createDocumentRepository } from '../modules/documents/index.js'
import {
  type CallbackRepository,
  callbackBodyContext,
  createCallbackRepository,
} from '../modules/privy-callbacks/index.js'
import {
  createRegistrationRepository,
  type RegistrationRepository,
  resealField,
} from '../modules/registration/index.js'
import {
  createSecretBox,
  createWebhookRepository,
  type SecretBox,
  type WebhookRepository,
} from '../modules/webhooks/index.js'

/**
 * One kind of sealed data: re-seals a batch under the active key and returns how many rows it
 * examined (0 when none is left). Each write is guarded by the key the row was read with; a row
 * another run re-sealed first is not found again, so a batch that only lost races does not end the
 * rotation early.
 */
export interface Resealer {
  name: string
  resealBatch(): Promise<number>
}

const BATCH = 100

/**
 * Key rotation without downtime: the gateway runs with the new key active and the old one in
 * PII_ENCRYPTION_PREVIOUS_KEYS (it opens both), while this re-seals every row under the new key, in
 * small batches guarded by the key each row was read with, so it can run beside live traffic, be
 * stopped and be run again. When it reports nothing left, the old key can be removed.
 */
export async function rotatePiiKeys(
  resealers: readonly Resealer[],
  onProgress: (name: string, count: number) => void = () => {},
): Promise<Record<string, number>> {
  const totals: Record<string, number> = {}
  for (const resealer of resealers) {
    let total = 0
    for (;;) {
      const count = await resealer.resealBatch()
      if (count === 0) break
      total += count
      onProgress(resealer.name, count)
    }
    totals[resealer.name] = total
  }
  return totals
}

export function registrationResealer(registrations: RegistrationRepository, pii: PiiCipher): Resealer {
  return {
    name: 'registrations (NIK, date of birth)',
    async resealBatch() {
      const rows = await registrations.findSealedUnderOtherKey(pii.activeKeyId, BATCH)
      for (const row of rows) {
        const keyId = row.piiKeyId
        if (keyId === null) continue // not returned by the query; narrows the type
        const reseal = (field: 'nik' | 'dob', data: Uint8Array | null) =>
          data === null ? null : resealField(pii, row.id, field, { keyId, data })
        await registrations.reseal(row.id, keyId, {
          nikSealed: reseal('nik', row.nikSealed),
          dobSealed: reseal('dob', row.dobSealed),
          piiKeyId: pii.activeKeyId,
        })
      }
      return rows.length
    },
  }
}

/** A table's sealed Privy tokens: opened with the key they were sealed under, sealed under the active one. */
export function privyTokenResealer(
  name: string,
  tokens: {
    findTokensUnderOtherKey(
      activeKeyId: string,
      limit: number,
    ): Promise<Array<{ id: string; keyId: string; token: string }>>
    resealToken(id: string, fromKeyId: string, token: string): Promise<boolean>
  },
  pii: PiiCipher,
): Resealer {
  return {
    name,
    async resealBatch() {
      const rows = await tokens.findTokensUnderOtherKey(pii.activeKeyId, BATCH)
      for (const row of rows) await tokens.resealToken(row.id, row.keyId, row.token)
      return rows.length
    },
  }
}

export function webhookSecretResealer(webhooks: WebhookRepository, box: SecretBox, pii: PiiCipher): Resealer {
  return {
    name: 'webhook signing secrets',
    async resealBatch() {
      const rows = await webhooks.findSecretsSealedUnderOtherKey(pii.activeKeyId, BATCH)
      for (const row of rows) {
        const resealed = box.seal(row.id, box.open(row.id, row.secret))
        await webhooks.resealSecret(row.id, row.secret, resealed)
      }
      return rows.length
    },
  }
}

export function callbackResealer(callbacks: CallbackRepository, pii: PiiCipher): Resealer {
  return {
    name: 'stored Privy callbacks',
    async resealBatch() {
      const rows = await callbacks.findSealedUnderOtherKey(pii.activeKeyId, BATCH)
      for (const row of rows) {
        const context = callbackBodyContext(row.id)
        const plain = pii.open({ keyId: row.bodyKeyId, data: Buffer.from(row.bodyEncrypted) }, context)
        const sealed = pii.seal(plain, context)
        await callbacks.reseal(row.id, row.bodyKeyId, {
          keyId: sealed.keyId,
          data: new Uint8Array(sealed.data),
        })
      }
      return rows.length
    },
  }
}

/** Every kind of sealed data the gateway keeps. */
export function allResealers(database: Pick<Database, 'prisma' | 'raw'>, pii: PiiCipher): Resealer[] {
  const { prisma, raw } = database
  const registrations = createRegistrationRepository(prisma, pii, raw)
  const documents = createDocumentRepository(prisma, pii, raw)
  return [
    registrationResealer(registrations, pii),
    privyTokenResealer('registrations (Privy register token)', registrations, pii),
    privyTokenResealer('documents (Privy document token)', documents, pii),
    callbackResealer(createCallbackRepository(prisma), pii),
    webhookSecretResealer(createWebhookRepository(prisma), createSecretBox(pii), pii),
  ]
}
