import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

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
  const shapes = new Map<string, RowShape>()
  return {
    rows: async <Row extends object>(statement: SqlStatement) =>
      (await pool.query<Row>(new KnownShapeQuery(statement, shapes) as unknown as pg.QueryConfig)).rows,
    execute: async (statement) => (await pool.query(statement)).rowCount ?? 0,
  }
}

/** What a named statement's rows look like: pg's field list, its parsers and its empty row, built once. */
interface RowShape {
  fields: unknown[]
  parsers: unknown[]
  emptyRow: object
}

/** The parts of pg's Query (pg 8, lib/query.js) and its Result that KnownShapeQuery builds on. */
interface PgQueryInternals {
  name?: string
  _result: { fields: unknown[]; _parsers?: unknown[]; _prebuiltEmptyResultObject: object | null }
  _accumulateRows?: boolean
  callback?: unknown
  hasBeenParsed(connection: unknown): boolean
  prepare(connection: unknown): void
  handleRowDescription(message: unknown): void
  _getRows(connection: unknown, rows: number | undefined): void
  handleError(error: unknown, connection: unknown): void
}

const PgQuery = pg.Query as unknown as new (config: SqlStatement) => PgQueryInternals

/**
 * A named statement that asks PostgreSQL to describe its rows only the first time in this pool.
 * pg describes the portal on every execution, then parses the RowDescription and builds the row's
 * parsers and empty row again from it (on a cold status read, several % of the gateway's CPU for
 * 30 columns, and a message PostgreSQL builds and sends each time); a prepared statement's row type
 * cannot change under it (PostgreSQL refuses to run it instead), so the first description serves
 * every later execution on any connection of the pool: Bind, Execute, Sync.
 */
class KnownShapeQuery extends PgQuery {
  readonly #shapes: Map<string, RowShape>

  constructor(statement: SqlStatement, shapes: Map<string, RowShape>) {
    super(statement)
    this.#shapes = shapes
  }

  override prepare(connection: PgConnection): void {
    const shape = this.name === undefined ? undefined : this.#shapes.get(this.name)
    if (!shape || !this.hasBeenParsed(connection)) {
      super.prepare(connection)
      return
    }
    try {
      connection.bind({
        portal: '',
        statement: this.name,
        values: (this as unknown as SqlStatement).values,
        valueMapper: prepareValue,
      })
    } catch (error) {
      // As pg's own prepare: a value it cannot send ends the exchange before anything ran.
      connection.close({ type: 'S', name: this.name })
      connection.sync()
      this.handleError(error, connection)
      return
    }
    this._result.fields = shape.fields
    this._result._parsers = shape.parsers
    this._result._prebuiltEmptyResultObject = shape.emptyRow
    this._accumulateRows = true
    this._getRows(connection, undefined)
  }

  override handleRowDescription(message: unknown): void {
    super.handleRowDescription(message)
    const { fields, _parsers: parsers, _prebuiltEmptyResultObject: emptyRow } = this._result
    if (this.name !== undefined && parsers && emptyRow && !this.#shapes.has(this.name))
      this.#shapes.set(this.name, { fields, parsers, emptyRow })
  }
}

interface PgConnection {
  bind(config: { portal: string; statement?: string; values: unknown[]; valueMapper: unknown }): void
  close(config: { type: 'S'; name?: string }): void
  sync(): void
}

const prepareValue: unknown = (pg as unknown as { utils?: { prepareValue?: unknown } }).utils?.prepareValue

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
