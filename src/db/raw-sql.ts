import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'

/**
 * One statement of a repository's own SQL (the repository owns the text). `name` makes it a prepared
 * statement on PostgreSQL: each pooled connection parses and plans it once, then only binds values.
 * One name, one text: pg refuses a name reused with another text.
 */
export interface SqlStatement {
  name: string
  text: string
  values: unknown[]
}

/**
 * The hot reads' way past Prisma's model query pipeline (query building, its engine's plan, result
 * mapping cost a cold status read more CPU than PostgreSQL does), served by both kinds of database.
 * Rows come as the driver parses them: timestamptz as Date, json as values, enums and uuids as
 * strings, bytea as bytes (a Buffer from pg, a Uint8Array from PGlite: see `bytesOf`).
 */
export interface RawSql {
  rows<Row extends object>(statement: SqlStatement): Promise<Row[]>
  /** How many rows a write changed. */
  execute(statement: SqlStatement): Promise<number>
}

export function postgresRawSql(pool: pg.Pool): RawSql {
  return {
    rows: async <Row extends object>(statement: SqlStatement) => (await pool.query<Row>(statement)).rows,
    execute: async (statement) => (await pool.query(statement)).rowCount ?? 0,
  }
}

export function pgliteRawSql(opening: Promise<PGlite>): RawSql {
  return {
    rows: async <Row extends object>({ text, values }: SqlStatement) =>
      (await (await opening).query<Row>(text, values)).rows,
    execute: async ({ text, values }) => (await (await opening).query(text, values)).affectedRows ?? 0,
  }
}

/** bytea as Prisma gives it (a plain Uint8Array), without copying pg's Buffer. */
export function bytesOf(value: Uint8Array | null): Uint8Array<ArrayBuffer> | null {
  if (value === null) return null
  return new Uint8Array(value.buffer as ArrayBuffer, value.byteOffset, value.byteLength)
}
