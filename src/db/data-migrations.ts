import type { PiiCipher } from '../lib/pii-crypto.js'
import { type PrivyTokenKind, sealPrivyToken } from '../lib/privy-tokens.js'
import type { SqlRunner } from './migration-connection.js'
import type { MigrationHook } from './migrations.js'

/** The migration that drops the clear token columns: every token is sealed before it runs. */
export const DROP_CLEAR_TOKENS_MIGRATION = '20261207125452_drop_clear_privy_tokens'

const BATCH = 500

/** The clear columns the tokens leave, and the sealed ones they move into (same table, same row). */
const TOKEN_COLUMNS: ReadonlyArray<{ kind: PrivyTokenKind; table: string; clear: string; sealed: string }> = [
  {
    kind: 'register_token',
    table: 'registrations',
    clear: 'register_token',
    sealed: 'register_token_sealed',
  },
  { kind: 'document_token', table: 'documents', clear: 'document_token', sealed: 'document_token_sealed' },
]

/**
 * Moves every clear Privy token into its sealed column, in batches; each row's write is guarded by the
 * token it read, and is its own statement, so a run that stops half-way is simply run again. The
 * cipher is asked for only when there is something to seal: a new database needs no key.
 */
export async function sealClearPrivyTokens(sql: SqlRunner, cipher: () => PiiCipher): Promise<number> {
  let sealed = 0
  for (const { kind, table, clear, sealed: target } of TOKEN_COLUMNS) {
    for (;;) {
      const rows = await sql.query<{ id: string; token: string }>(
        `SELECT id::text AS id, ${clear} AS token FROM ${table} WHERE ${clear} IS NOT NULL LIMIT ${BATCH}`,
      )
      if (rows.length === 0) break
      const pii = cipher()
      for (const row of rows) {
        const { sealed: bytes, keyId } = sealPrivyToken(pii, kind, row.id, row.token)
        await sql.query(
          `UPDATE ${table} SET ${target} = $1, token_key_id = $2, ${clear} = NULL
           WHERE id = $3::uuid AND ${clear} = $4`,
          [Buffer.from(bytes), keyId, row.id, row.token],
        )
        sealed++
      }
    }
  }
  return sealed
}

/**
 * The steps of the committed migrations that need code, in order. `cipher` gives the PII cipher of the
 * configuration (PII_ENCRYPTION_KEY); it may throw when none is configured, which matters only when
 * there are clear tokens to seal.
 */
export function dataMigrations(cipher: () => PiiCipher): MigrationHook[] {
  return [
    {
      before: DROP_CLEAR_TOKENS_MIGRATION,
      run: async (sql) => void (await sealClearPrivyTokens(sql, cipher)),
    },
  ]
}
