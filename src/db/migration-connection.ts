import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { toDriverAdapterError } from './driver-errors.js'

/** Plain SQL on the migrated database, for the steps of a migration that SQL alone cannot do. */
export interface SqlRunner {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>
}

/** What the schema engine talks through, plus the clean-up its own `dispose` calls do not cover. */
export interface MigrationConnection {
  factory: SqlMigrationAwareDriverAdapterFactory
  /** The database being migrated (not a shadow), in the schema being migrated. */
  sql: SqlRunner
  /** Runs before the engine starts; PostgreSQL takes the migration lock here. */
  prepare(): Promise<void>
  close(): Promise<void>
}

/**
 * Both official adapters mishandle migration scripts: `@prisma/adapter-pg` splits the script on every
 * `;` (breaking string literals and function bodies) and sends the pieces one by one, so a failing
 * migration is left half-applied; `pglite-prisma-adapter` does not await the script, so its errors
 * never reach the engine. Sending the whole script as one simple-protocol query restores what
 * `prisma migrate deploy` does: PostgreSQL runs a multi-statement query as a single transaction.
 */
export function withWholeScripts(
  adapter: SqlDriverAdapter,
  runScript: (script: string) => Promise<unknown>,
  dispose: () => Promise<void>,
): SqlDriverAdapter {
  return {
    adapterName: adapter.adapterName,
    provider: adapter.provider,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    executeScript: async (script) => {
      try {
        await runScript(script)
      } catch (error) {
        throw toDriverAdapterError(error)
      }
    },
    dispose: async () => {
      await adapter.dispose()
      await dispose()
    },
  }
}
