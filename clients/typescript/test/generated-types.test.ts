import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { generateTypes, SPEC_URL, TYPES_URL } from '../scripts/generate-types.js'
import { KEYED_OPERATIONS } from '../src/index.js'

describe("the client's generated types", () => {
  it('are exactly what openapi/openapi.json generates (run `npm run client:generate` after `npm run openapi`)', async () => {
    const committed = await readFile(TYPES_URL, 'utf8')
    expect(committed).toBe(await generateTypes())
  })

  it('would change with the document: a new route appears in the output', async () => {
    const spec = JSON.parse(await readFile(SPEC_URL, 'utf8'))
    spec.paths['/v1/drift-probe'] = { get: { responses: { 200: { description: 'OK' } } } }
    expect(await generateTypes(JSON.stringify(spec))).toContain('"/v1/drift-probe"')
  })

  it('send an Idempotency-Key on exactly the routes the document says honour one', async () => {
    const spec = JSON.parse(await readFile(SPEC_URL, 'utf8'))
    const keyed: string[] = []
    for (const [path, item] of Object.entries<
      Record<string, { parameters?: Array<{ name: string; in: string }> }>
    >(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const takesKey = operation.parameters?.some(
          (parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key',
        )
        if (takesKey) keyed.push(`${method.toUpperCase()} ${path}`)
      }
    }
    expect([...KEYED_OPERATIONS].sort()).toEqual(keyed.sort())
  })
})
