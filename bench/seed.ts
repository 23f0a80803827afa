/**
 * Rows for `npm run bench`, written straight into the gateway's schema: registrations and documents
 * that are submitted and readable by the bench user, with Privy tokens sealed exactly as the gateway
 * seals them (same PII key, bound to the row), so a refresh opens them and calls upstream. Their
 * status and `updated_at` are what the stub upstream answers (bench/contenders/upstream.ts), so a
 * refresh changes nothing. Filler rows (other owners, no token) grow the table for the scaling table.
 */
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { piiCipherOf } from '../src/lib/pii-crypto.js'
import { type PrivyTokenKind, sealPrivyToken } from '../src/lib/privy-tokens.js'
import { STUB_UPSTREAM_UPDATED_AT } from './contenders/upstream.js'

export interface SeedKeys {
  encryptionKey: string
  lookupKey: string
}

const CHUNK = 5_000

/**
 * Inserts `count` rows in chunks: `insert` gets each chunk's new ids, their sealed tokens of `kind`
 * (the token is `rt-<id>` or `dt-<id>`, as the contenders send it) and the key id.
 */
async function seedSealed(
  keys: SeedKeys,
  kind: PrivyTokenKind,
  count: number,
  insert: (ids: string[], sealed: Buffer[], keyId: string | undefined) => Promise<unknown>,
): Promise<string[]> {
  const cipher = piiCipherOf({ ...keys, previousEncryptionKeys: [] })
  const prefix = kind === 'register_token' ? 'rt' : 'dt'
  const ids: string[] = []
  for (let start = 0; start < count; start += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, count - start) }, () => randomUUID())
    const sealed = chunk.map((id) => sealPrivyToken(cipher, kind, id, `${prefix}-${id}`))
    await insert(
      chunk,
      sealed.map((token) => Buffer.from(token.sealed)),
      sealed[0]?.keyId,
    )
    ids.push(...chunk)
  }
  return ids
}

/**
 * `count` registrations owned by `ownerId`; returns their ids in insertion order. `waiting_otp` ones
 * are for the OTP send bench (each takes one OTP transaction: one live per registration).
 */
export function seedRegistrations(
  db: pg.Client,
  keys: SeedKeys,
  ownerId: string,
  count: number,
  status: 'waiting_verification' | 'waiting_otp' = 'waiting_verification',
) {
  return seedSealed(keys, 'register_token', count, (ids, sealed, keyId) =>
    db.query(
      `INSERT INTO registrations (id, owner_id, reference_number, registration_type, status, submission,
         email_masked, phone_masked, register_token_sealed, token_key_id, synced_at, upstream_updated_at,
         created_at, updated_at)
       SELECT t.id, $2, 'BENCH-' || t.id, 'privy_ra', $6::"RegistrationStatus", 'submitted',
         'be***@example.co.id', '62812****7890', t.sealed, $4, now(), $5, now(), now()
       FROM unnest($1::uuid[], $3::bytea[]) AS t(id, sealed)`,
      [ids, ownerId, sealed, keyId, new Date(STUB_UPSTREAM_UPDATED_AT), status],
    ),
  )
}

/** `count` documents uploaded by `ownerId`, `processing` at Privy; returns their ids. */
export function seedDocuments(db: pg.Client, keys: SeedKeys, ownerId: string, count: number) {
  return seedSealed(keys, 'document_token', count, (ids, sealed, keyId) =>
    db.query(
      `INSERT INTO documents (id, owner_id, reference_number, title, process, sign_process, visibility,
         status, submission, document_token_sealed, token_key_id, signing_url, sha256, size_bytes,
         page_count, synced_at, created_at, updated_at)
       SELECT t.id, $2, 'BENCHDOC-' || t.id, 'Bench contract', 'sign_only', 'serial', true,
         'processing', 'submitted', t.sealed, $4, 'https://sign.example.invalid/bench',
         repeat('0', 64), 1024, 1, now(), now(), now()
       FROM unnest($1::uuid[], $3::bytea[]) AS t(id, sealed)`,
      [ids, ownerId, sealed, keyId],
    ),
  )
}

/** Grows the registrations table to `total` rows with generate_series: other owners, settled, no token. */
export async function fillRegistrations(db: pg.Client, total: number): Promise<void> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM registrations')
  const missing = total - Number(rows[0]?.n ?? 0)
  if (missing <= 0) return
  await db.query(
    `INSERT INTO registrations (id, owner_id, reference_number, registration_type, status, submission,
       email_masked, phone_masked, synced_at, created_at, updated_at)
     SELECT gen_random_uuid(), 'user:filler-' || (g % 5000), 'FILL-' || gen_random_uuid(), 'landing_page',
       'verified', 'submitted', 'fi***@example.co.id', '62811****0000', now(), now(), now()
     FROM generate_series(1, $1::int) AS g`,
    [missing],
  )
  await db.query('ANALYZE registrations')
}
