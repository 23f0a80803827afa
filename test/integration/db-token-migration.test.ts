import { randomBytes, randomUUID } from 'node:crypto'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { DROP_CLEAR_TOKENS_MIGRATION, dataMigrations } from '../../src/db/data-migrations.js'
import type { SqlRunner } from '../../src/db/migration-connection.js'
import { applyMigrations, type MigrationTarget } from '../../src/db/migrations.js'
import { IN_MEMORY, openPglite } from '../../src/db/pglite.js'
import { postgresPoolConfig } from '../../src/db/postgres-config.js'
import { defaultMigrationsDir } from '../../src/db/project-paths.js'
import { quoteIdentifier } from '../../src/db/sql-identifier.js'
import { piiCipherOf } from '../../src/lib/pii-crypto.js'
import { openPrivyToken } from '../../src/lib/privy-tokens.js'

/**
 * Privy tokens stored in clear by earlier versions are moved into sealed columns, and the clear
 * columns dropped, by the migrations, on PostgreSQL and PGlite; a tool that skips the sealing step
 * stops before the drop instead of losing them.
 */

const databaseUrl = process.env.DATABASE_URL
const KEY = Buffer.alloc(32, 'token-migration-key').toString('base64')
const cipher = piiCipherOf({ encryptionKey: KEY, previousEncryptionKeys: [], lookupKey: KEY })
const cleanups: Array<() => Promise<unknown>> = []

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

/** The committed migrations before the one that drops the clear columns: the previous release. */
async function migrationsBeforeTheDrop(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'token-migration-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  await cp(defaultMigrationsDir(), dir, { recursive: true })
  for (const name of await readdir(dir)) {
    if (name >= DROP_CLEAR_TOKENS_MIGRATION) await rm(join(dir, name), { recursive: true, force: true })
  }
  return dir
}

interface Target {
  target: MigrationTarget
  sql: SqlRunner
}

const kinds: Array<{ kind: string; enabled: boolean; open: () => Promise<Target> }> = [
  {
    kind: 'pglite',
    enabled: true,
    open: async () => {
      const pglite = await openPglite(IN_MEMORY)
      cleanups.push(() => pglite.close())
      return {
        target: { kind: 'pglite', pglite },
        sql: { query: async (text, params) => (await pglite.query(text, params)).rows as never[] },
      }
    },
  },
  {
    kind: 'postgres',
    enabled: databaseUrl !== undefined,
    open: async () => {
      const url = databaseUrl ?? ''
      const schema = `t_${randomBytes(8).toString('hex')}`
      const pool = new pg.Pool({ ...postgresPoolConfig(url, schema), max: 1 })
      cleanups.push(async () => {
        await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)
        await pool.end()
      })
      return {
        target: { kind: 'postgres', connectionString: url, schema },
        sql: { query: async (text, params) => (await pool.query(text, params)).rows },
      }
    },
  },
]

async function columns(sql: SqlRunner, table: string): Promise<string[]> {
  const rows = await sql.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  )
  return rows.map((row) => row.column_name)
}

for (const { kind, enabled, open } of kinds) {
  describe.runIf(enabled)(`clear Privy tokens on ${kind}`, () => {
    it('are sealed into their new columns and the clear columns dropped; skipping the seal stops first', {
      timeout: 120_000,
    }, async () => {
      const { target, sql } = await open()
      await applyMigrations(target, { migrationsDir: await migrationsBeforeTheDrop() })
      // Rows as the previous release wrote them: tokens in clear.
      const registrations = Array.from({ length: 3 }, () => ({ id: randomUUID(), token: randomUUID() }))
      for (const { id, token } of registrations) {
        await sql.query(
          `INSERT INTO registrations (id, owner_id, reference_number, registration_type, status, submission,
             email_masked, phone_masked, register_token, updated_at)
           VALUES ($1::uuid, 'user:old', $2, 'landing_page', 'pending', 'submitted', 'a***@b.id', '62***', $3, now())`,
          [id, `REG-${id}`, token],
        )
      }
      const document = { id: randomUUID(), token: randomUUID() }
      await sql.query(
        `INSERT INTO documents (id, owner_id, reference_number, title, process, sign_process, visibility,
           submission, document_token, sha256, size_bytes, page_count, updated_at)
         VALUES ($1::uuid, 'user:old', $2, 'Old', 'sign_only', 'serial', true, 'submitted', $3, 'ab', 1, 1, now())`,
        [document.id, `DOC-${document.id}`, document.token],
      )

      // A tool that does not seal (prisma migrate deploy) is stopped by the drop migration itself.
      await expect(applyMigrations(target)).rejects.toThrow(/clear Privy tokens are still stored/)
      const kept = await sql.query<{ register_token: string }>('SELECT register_token FROM registrations')
      expect(kept.map((row) => row.register_token).sort()).toEqual(registrations.map((r) => r.token).sort())

      // The gateway's runner seals them, then applies the drop (the failed attempt resolved first).
      const { applied } = await applyMigrations(
        target,
        {},
        dataMigrations(() => cipher),
      )
      expect(applied).toContain(DROP_CLEAR_TOKENS_MIGRATION)
      expect(await columns(sql, 'registrations')).not.toContain('register_token')
      expect(await columns(sql, 'documents')).not.toContain('document_token')
      for (const { id, token } of registrations) {
        const [row] = await sql.query<{ sealed: Uint8Array; key_id: string }>(
          'SELECT register_token_sealed AS sealed, token_key_id AS key_id FROM registrations WHERE id = $1::uuid',
          [id],
        )
        expect(row?.key_id).toBe(cipher.activeKeyId)
        expect(Buffer.from(row?.sealed ?? []).toString('latin1')).not.toContain(token)
        expect(
          openPrivyToken(cipher, 'register_token', id, {
            sealed: row?.sealed ?? new Uint8Array(),
            keyId: row?.key_id ?? '',
          }),
        ).toBe(token)
      }
      const [sealedDocument] = await sql.query<{ sealed: Uint8Array; key_id: string }>(
        'SELECT document_token_sealed AS sealed, token_key_id AS key_id FROM documents WHERE id = $1::uuid',
        [document.id],
      )
      expect(
        openPrivyToken(cipher, 'document_token', document.id, {
          sealed: sealedDocument?.sealed ?? new Uint8Array(),
          keyId: sealedDocument?.key_id ?? '',
        }),
      ).toBe(document.token)
      // Run again: nothing left to do.
      expect(
        await applyMigrations(
          target,
          {},
          dataMigrations(() => cipher),
        ),
      ).toEqual({ applied: [] })
    })

    it('needs no key when there is nothing to seal', { timeout: 120_000 }, async () => {
      const noKey = () => {
        throw new Error('PII_ENCRYPTION_KEY is not configured')
      }
      // A new database, and one of the previous release without a token in clear.
      const fresh = await open()
      expect((await applyMigrations(fresh.target, {}, dataMigrations(noKey))).applied).toContain(
        DROP_CLEAR_TOKENS_MIGRATION,
      )
      const previous = await open()
      await applyMigrations(previous.target, { migrationsDir: await migrationsBeforeTheDrop() })
      // The drop comes first of what was missing (later migrations may follow it).
      const { applied } = await applyMigrations(previous.target, {}, dataMigrations(noKey))
      expect(applied[0]).toBe(DROP_CLEAR_TOKENS_MIGRATION)
    })
  })
}
