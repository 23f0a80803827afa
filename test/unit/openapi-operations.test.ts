import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { OpenAPIV3_1 } from 'openapi-types'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OPERATOR_TAGS, registerSwagger } from '../../src/plugins/swagger.js'

/**
 * What Swagger UI and the generated client rely on, read from the committed document
 * (openapi-drift.test.ts keeps it equal to the code): every operation named after its handler,
 * operators' routes apart, multipart bodies with file inputs.
 */
const document = JSON.parse(
  await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as OpenAPIV3_1.Document

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  METHODS.flatMap((method) => {
    const operation = item?.[method]
    return operation ? [{ route: `${method.toUpperCase()} ${path}`, path, operation }] : []
  }),
)

/** The module whose handler answers a path: the first part of every operationId under it. */
function moduleOf(path: string): string {
  const [, first, second] = path.split('/')
  if (first === 'health') return 'health'
  if (second === 'privy') return 'privyCallbacks'
  if (second?.startsWith('webhook-')) return 'webhooks'
  return second ?? ''
}

const isOperatorOnly = (operation: OpenAPIV3_1.OperationObject) =>
  JSON.stringify(operation.security) === JSON.stringify([{ apiKey: [] }])

const schemaOf = (reference: unknown): OpenAPIV3_1.SchemaObject => {
  const name = String((reference as { $ref?: string }).$ref ?? '').replace('#/components/schemas/', '')
  return (document.components?.schemas?.[name] ?? reference) as OpenAPIV3_1.SchemaObject
}

describe('operationIds', () => {
  it('name every operation after its module and handler, once each', () => {
    expect(operations.length).toBeGreaterThan(25)
    const ids = operations.map(({ operation }) => operation.operationId)
    for (const { route, path, operation } of operations) {
      expect(operation.operationId, route).toMatch(/^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/)
      expect(operation.operationId?.split('.')[0], route).toBe(moduleOf(path))
    }
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['registrations.create', 'otp.resend', 'documents.upload']))
  })

  it('cannot be forgotten: a documented route without one (or without a tag) fails the document', async () => {
    const build = async (schema: Record<string, unknown>) => {
      const app = Fastify()
      app.setValidatorCompiler(validatorCompiler)
      app.setSerializerCompiler(serializerCompiler)
      await registerSwagger(app, { ui: false })
      app.get(
        '/thing',
        { schema: { response: { 200: z.object({ ok: z.boolean() }) }, ...schema } },
        async () => ({
          ok: true,
        }),
      )
      await app.ready()
      try {
        return app.swagger()
      } finally {
        await app.close()
      }
    }
    await expect(build({ tags: ['Health'] })).rejects.toThrow(/GET \/thing: .*operationId/)
    await expect(build({ operationId: 'health.thing' })).rejects.toThrow(/operationId and a tag/)
    const named = (await build({ tags: ['Health'], operationId: 'health.thing' })) as OpenAPIV3_1.Document
    expect(named.paths?.['/thing']?.get?.operationId).toBe('health.thing')
  })
})

describe('tags', () => {
  const operatorTags = Object.values(OPERATOR_TAGS) as string[]

  it('put operator-only routes (X-API-Key alone) under Operators tags, and nothing else there', () => {
    const operatorRoutes = operations.filter(({ operation }) => isOperatorOnly(operation))
    expect(operatorRoutes.map(({ route }) => route)).toEqual(
      expect.arrayContaining([
        'POST /v1/registrations/lookup',
        'GET /v1/privy/callbacks',
        'POST /v1/webhook-endpoints',
      ]),
    )
    for (const { route, operation } of operations) {
      const underOperators = (operation.tags ?? []).map((tag) => operatorTags.includes(tag))
      expect(underOperators.length, route).toBeGreaterThan(0)
      expect(new Set(underOperators), route).toEqual(new Set([isOperatorOnly(operation)]))
    }
  })

  it('are all declared, with a description, operators last', () => {
    const declared = (document.tags ?? []).map((tag) => tag.name)
    for (const { route, operation } of operations) {
      for (const tag of operation.tags ?? []) expect(declared, route).toContain(tag)
    }
    expect(declared.slice(-operatorTags.length)).toEqual(operatorTags)
    for (const tag of document.tags ?? []) expect(tag.description, tag.name).toBeTruthy()
  })
})

describe('multipart bodies', () => {
  const bodyOf = (path: string) => {
    const requestBody = document.paths?.[path]?.post?.requestBody as OpenAPIV3_1.RequestBodyObject
    return requestBody.content
  }

  it.each([
    ['/v1/registrations', ['ktp', 'selfie'], ['ktp', 'selfie']],
    ['/v1/registrations/{id}/resend', ['ktp', 'selfie'], []],
    ['/v1/documents', ['file'], ['file', 'metadata']],
  ])('%s offers its files as binary parts', (path, files, required) => {
    const multipart = schemaOf(bodyOf(path)['multipart/form-data']?.schema)
    expect(multipart.type).toBe('object')
    for (const file of files) {
      expect(multipart.properties?.[file], file).toMatchObject({ type: 'string', format: 'binary' })
    }
    expect(multipart.required ?? []).toEqual(expect.arrayContaining(required))
  })

  it('keeps the JSON variant of registrations, images as base64 text', () => {
    for (const path of ['/v1/registrations', '/v1/registrations/{id}/resend']) {
      const json = JSON.stringify(bodyOf(path)['application/json']?.schema)
      expect(json, path).toBeDefined()
      expect(json, path).not.toContain('binary')
    }
    const full = schemaOf({ $ref: '#/components/schemas/FullRegistrationRequestInput' })
    const ktp = full.properties?.ktp as OpenAPIV3_1.SchemaObject | undefined
    expect(ktp).toMatchObject({ type: 'string' })
    expect(ktp?.format).toBeUndefined()
  })
})
