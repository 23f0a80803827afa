/**
 * Finds the strings a caller sends, in the gateway's own OpenAPI document: every path, query and
 * header parameter and every string of every request body (through `$ref`, `oneOf`/`anyOf`/`allOf`,
 * arrays, and a JSON text's `contentSchema`, as the document upload's `metadata`). Used by the static
 * check of the text rule and by the walk that sends control characters to each of them.
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read as plain JSON
export type Json = any
export type FieldPath = Array<string | number>

export interface StringNode {
  path: FieldPath
  schema: Json
}

export interface Walked {
  strings: StringNode[]
  /** Objects that take any member, or schemas that take anything: strings there escape every check. */
  open: FieldPath[]
}

export const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

export interface Operation {
  route: string
  method: string
  path: string
  operation: Json
}

export function operationsOf(document: Json): Operation[] {
  const found: Operation[] = []
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      if (item[method])
        found.push({ route: `${method.toUpperCase()} ${path}`, method, path, operation: item[method] })
    }
  }
  return found.sort((a, b) => a.route.localeCompare(b.route))
}

export function resolve(document: Json, schema: Json): Json {
  let current = schema
  while (current && typeof current.$ref === 'string') {
    const name = current.$ref.replace('#/components/schemas/', '')
    current = document.components.schemas[name]
    if (!current) throw new Error(`unresolved ${schema.$ref}`)
  }
  return current ?? {}
}

function typesOf(schema: Json): string[] {
  if (Array.isArray(schema.type)) return schema.type
  if (typeof schema.type === 'string') return [schema.type]
  if (schema.properties) return ['object']
  return []
}

/**
 * The strings of a schema. Without a `sample` every branch is walked. With one, only the branches the
 * sample takes (its `const` members decide a `oneOf`), nested objects and arrays the sample has, and
 * the string members of each object it has (present or not: an optional string can be added).
 */
export function walkSchema(document: Json, schema: Json, sample?: { value: unknown }): Walked {
  const out: Walked = { strings: [], open: [] }
  walk(document, schema, [], sample, out)
  return out
}

function walk(
  document: Json,
  raw: Json,
  path: FieldPath,
  sample: { value: unknown } | undefined,
  out: Walked,
) {
  const schema = resolve(document, raw)
  const branches: Json[] | undefined = schema.oneOf ?? schema.anyOf
  if (branches) {
    for (const branch of branches) {
      if (!sample || fits(document, branch, sample.value)) walk(document, branch, path, sample, out)
    }
    return
  }
  for (const part of schema.allOf ?? []) walk(document, part, path, sample, out)
  const types = typesOf(schema)
  if (types.length === 0 && !schema.allOf && schema.const === undefined && !schema.enum) {
    out.open.push(path)
    return
  }
  if (types.includes('string')) {
    out.strings.push({ path, schema })
    if (schema.contentMediaType === 'application/json' && schema.contentSchema) {
      if (!sample || sample.value !== undefined) walk(document, schema.contentSchema, path, sample, out)
    }
  }
  const value = sample?.value
  if (types.includes('object')) {
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== false)
      out.open.push(path)
    if (sample && (value === null || typeof value !== 'object' || Array.isArray(value))) return
    for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      const member = (value as Record<string, unknown> | undefined)?.[name]
      if (sample && member === undefined) {
        // Absent from the sample: only a plain string member can be added to it.
        if (isStringLeaf(document, child)) walk(document, child, [...path, name], { value: undefined }, out)
        continue
      }
      walk(document, child, [...path, name], sample ? { value: member } : undefined, out)
    }
  }
  if (types.includes('array') && schema.items) {
    if (sample && !(Array.isArray(value) && value.length > 0)) return
    walk(document, schema.items, [...path, 0], sample ? { value: (value as unknown[])[0] } : undefined, out)
  }
}

function isStringLeaf(document: Json, raw: Json): boolean {
  const schema = resolve(document, raw)
  const branches: Json[] | undefined = schema.oneOf ?? schema.anyOf
  if (branches) return branches.some((branch) => isStringLeaf(document, branch))
  return typesOf(schema).includes('string') && !schema.contentSchema
}

function fits(document: Json, raw: Json, value: unknown): boolean {
  const schema = resolve(document, raw)
  const types = typesOf(schema)
  if (value === undefined) return types.includes('string')
  if (value === null) return types.includes('null')
  if (Array.isArray(value)) return types.includes('array')
  if (typeof value === 'object') {
    if (!types.includes('object')) return false
    const members = Object.entries((schema.properties ?? {}) as Record<string, Json>)
    // A discriminator (a `const`, or an `enum` the value names) decides which branch the sample takes.
    return members.every(([name, raw]) => {
      const member = resolve(document, raw)
      const given = (value as Record<string, unknown>)[name]
      if (member.const !== undefined) return given === member.const
      return !Array.isArray(member.enum) || given === undefined || member.enum.includes(given)
    })
  }
  return (
    types.includes(
      typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value,
    ) ||
    (typeof value === 'number' && types.includes('number'))
  )
}

export const pathText = (path: FieldPath) => path.join('.')

/** A copy of `value` with `path` set to `replacement` (objects created on the way). */
export function withValueAt(value: unknown, path: FieldPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  const copy: Json = Array.isArray(value) ? [...value] : { ...(value as object) }
  copy[head as string] = withValueAt(copy[head as string], rest, replacement)
  return copy
}

export function valueAt(value: unknown, path: FieldPath): unknown {
  return path.reduce<unknown>((current, key) => (current as Json)?.[key], value)
}
