import { readFile } from 'node:fs/promises'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'

/**
 * Swagger UI shows and pre-fills the document's examples, so each must be one the gateway accepts
 * and one a person would recognise: read from the committed document (openapi-drift.test.ts keeps
 * it equal to the code).
 */
type Json = Record<string, unknown>
const document = JSON.parse(
  await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as Json & { components: { schemas: Record<string, Json> } }

interface Found {
  where: string
  schema: Json
}

/** Every schema object in the document, with where it is. */
function schemasIn(node: unknown, where: string, found: Found[] = []): Found[] {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) schemasIn(item, `${where}/${index}`, found)
  } else if (node && typeof node === 'object') {
    const schema = node as Json
    if (typeof schema.type === 'string' || '$ref' in schema || 'oneOf' in schema)
      found.push({ where, schema })
    for (const [key, value] of Object.entries(schema)) {
      if (key !== 'example') schemasIn(value, `${where}/${key}`, found)
    }
  }
  return found
}

const all = schemasIn(document, '#')
const withExamples = all.filter(({ schema }) => 'example' in schema)
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })

/** Validates against the node itself, its `$ref`s resolved in the document's components. */
function problemsOf(schema: Json, value: unknown): string[] {
  const { example: _example, ...rest } = schema
  const validate = ajv.compile({ ...rest, components: document.components })
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

const exampleOf = (schemaName: string, property: string) => {
  const properties = document.components.schemas[schemaName]?.properties as Record<string, Json> | undefined
  return properties?.[property]?.example
}

describe('examples in the OpenAPI document', () => {
  it('are on every string a caller sends or reads (parameters start empty on purpose)', () => {
    const bare = all.filter(
      ({ where, schema }) =>
        schema.type === 'string' &&
        !('example' in schema || 'enum' in schema || 'const' in schema) &&
        schema.format !== 'binary' &&
        !where.includes('/parameters/') &&
        !where.endsWith('/propertyNames'),
    )
    expect(bare.map(({ where }) => where)).toEqual([])
    expect(withExamples.length).toBeGreaterThan(100)
  })

  it('each validate against their own schema', () => {
    const failures = withExamples.flatMap(({ where, schema }) =>
      problemsOf(schema, schema.example).map((problem) => `${where}: ${problem}`),
    )
    expect(failures).toEqual([])
  })

  it('hold JSON text that fits the schema it names (the document metadata)', () => {
    const metadata = withExamples.filter(({ schema }) => schema.contentMediaType === 'application/json')
    expect(metadata.length).toBeGreaterThan(0)
    for (const { where, schema } of metadata) {
      const parsed = JSON.parse(String(schema.example))
      expect(problemsOf(schema.contentSchema as Json, parsed), where).toEqual([])
    }
  })

  it('are realistic: a NIK that encodes the example dob, Indonesian mobiles, dates this century', () => {
    for (const request of ['FullRegistrationRequestInput', 'FullRegistrationMultipartRequestInput']) {
      const nik = String(exampleOf(request, 'nik'))
      const [year, month, day] = String(exampleOf(request, 'dob')).split('-').map(Number)
      const encodedDay = Number(nik.slice(6, 8))
      // The NIK encodes the birth date as DDMMYY, with 40 added to the day for women.
      expect([day, (day ?? 0) + 40], request).toContain(encodedDay)
      expect(nik.slice(8, 12), request).toBe(`${String(month).padStart(2, '0')}${String(year).slice(2)}`)
      expect(exampleOf(request, 'phone'), request).toMatch(/^628\d{8,11}$/)
    }
    const dated = withExamples.flatMap(({ where, schema }) =>
      typeof schema.example === 'string' && /^\d{4}-\d{2}-\d{2}/.test(schema.example)
        ? [{ where, year: Number(schema.example.slice(0, 4)) }]
        : [],
    )
    expect(dated.length).toBeGreaterThan(10)
    for (const { where, year } of dated) expect(year, where).toBeGreaterThanOrEqual(2000)
    for (const { where, year } of dated) expect(year, where).toBeLessThan(2100)
    const emails = withExamples.filter(({ schema }) => schema.format === 'email')
    for (const { where, schema } of emails) expect(schema.example, where).toMatch(/@[a-z.-]+\.id$/)
  })
})
