import { describe, expect, it } from 'vitest'
import { postgresPoolConfig } from '../../src/db/postgres-config.js'
import { assertSchemaName, quoteIdentifier } from '../../src/db/sql-identifier.js'

describe('postgresPoolConfig', () => {
  it('leaves the public schema to the server default', () => {
    expect(postgresPoolConfig('postgresql://u@h/db', 'public')).toEqual({
      connectionString: 'postgresql://u@h/db',
    })
  })

  it('puts another schema first on the search path as a startup option', () => {
    expect(postgresPoolConfig('postgresql://u@h/db', 't_1')).toEqual({
      connectionString: 'postgresql://u@h/db',
      options: '-c search_path=t_1',
    })
  })

  it("merges the connection string's own options instead of letting them win", () => {
    const config = postgresPoolConfig(
      'postgresql://u@h/db?options=-c%20statement_timeout%3D5000&sslmode=disable',
      't_1',
    )

    expect(config.options).toBe('-c statement_timeout=5000 -c search_path=t_1')
    expect(config.connectionString).toBe('postgresql://u@h/db?sslmode=disable')
  })
})

describe('schema names', () => {
  it('accepts plain identifiers only, since they are spliced into DDL', () => {
    expect(assertSchemaName('t_0a9f')).toBe('t_0a9f')
    for (const bad of ['', '1abc', 'a-b', 'a b', 'x"; DROP SCHEMA public; --', 'a'.repeat(64)]) {
      expect(() => assertSchemaName(bad)).toThrow(/invalid PostgreSQL schema name/)
    }
  })

  it('quotes identifiers', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"')
  })
})
