// Schema names end up in DDL and in `SET search_path`, where parameters are not allowed.
const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export function assertSchemaName(name: string): string {
  if (!SIMPLE_IDENTIFIER.test(name)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(name)}: use letters, digits and _`)
  }
  return name
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
