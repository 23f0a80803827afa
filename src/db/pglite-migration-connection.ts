import type { PGlite } from '@electric-sql/pglite'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { type MigrationConnection, type SqlRunner, withWholeScripts } from './migration-connection.js'
import { IN_MEMORY, openPglite } from './pglite.js'

const keepOpen = async (): Promise<void> => {}

async function pgliteAdapter(pglite: PGlite, dispose: () => Promise<void>): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPGlite(pglite).connect()
  return withWholeScripts(adapter, (script) => pglite.exec(script), dispose)
}

async function freshShadow(): Promise<SqlDriverAdapter> {
  const shadow = await openPglite(IN_MEMORY)
  return pgliteAdapter(shadow, () => shadow.close())
}

function pgliteFactory(
  main: PGlite,
  connectToShadowDb: () => Promise<SqlDriverAdapter>,
): SqlMigrationAwareDriverAdapterFactory {
  const stock = new PrismaPGlite(main)
  return {
    provider: stock.provider,
    adapterName: stock.adapterName,
    connect: () => pgliteAdapter(main, keepOpen),
    connectToShadowDb,
  }
}

/**
 * The engine on an open PGlite (owned by the caller, left open). Shadow databases are fresh in-memory
 * instances, closed when the engine disposes them: the stock adapter never closes its shadow, which
 * keeps the process alive.
 */
export function pgliteMigrationConnection(pglite: PGlite): MigrationConnection {
  return {
    factory: pgliteFactory(pglite, freshShadow),
    sql: pgliteSql(pglite),
    prepare: keepOpen,
    close: keepOpen,
  }
}

function pgliteSql(pglite: PGlite): SqlRunner {
  return {
    query: async <Row>(text: string, params?: unknown[]) => (await pglite.query<Row>(text, params)).rows,
  }
}

/**
 * A throw-away in-memory PGlite for commands that only need a shadow database (diff, create).
 * Starting PGlite costs seconds (initdb), and the engine only asks its main connection for the server
 * version during such a command, so the untouched main instance doubles as the first shadow.
 */
export async function scratchMigrationConnection(): Promise<MigrationConnection> {
  const main = await openPglite(IN_MEMORY)
  let mainLent = false
  const connectToShadowDb = (): Promise<SqlDriverAdapter> => {
    if (mainLent) return freshShadow()
    mainLent = true
    return pgliteAdapter(main, keepOpen)
  }
  return {
    factory: pgliteFactory(main, connectToShadowDb),
    sql: pgliteSql(main),
    prepare: keepOpen,
    close: () => main.close(),
  }
}
