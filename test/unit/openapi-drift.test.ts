import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { generateOpenApiDocument } from '../../src/openapi/generate.js'

describe('the committed OpenAPI document', () => {
  it('is exactly what the code generates (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')
    const generated = await generateOpenApiDocument()
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated))
  })

  it('is OpenAPI 3.1, documents both caller kinds and answers errors as problem+json', async () => {
    const document = JSON.parse(await generateOpenApiDocument())
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerAuth'])
    const create = document.paths['/v1/registrations'].post
    expect(create.responses['201'].content['application/json']).toBeDefined()
    expect(create.responses['400'].content['application/problem+json']).toBeDefined()
    expect(create.responses['400'].content['application/json']).toBeUndefined()
    expect(document.components.schemas.Registration).toBeDefined()
  })
})
