import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import { type ZodType, z } from 'zod'

declare module 'fastify' {
  interface FastifySchema {
    /**
     * Documentation only: the same body as multipart/form-data, its files as `format: binary` strings,
     * so Swagger UI offers file inputs. The route turns the parts into `body` before validation.
     */
    multipartBody?: ZodType
  }
}

/**
 * Operations whose body may be left out (a zod `.optional()` body): @fastify/swagger marks every
 * requestBody required, so the document is corrected after it is built (swagger.ts `polish`).
 */
export const OPTIONAL_BODY_OPERATIONS = new Set<string>()

type RouteTransform = NonNullable<FastifyDynamicSwaggerOptions['transform']>
type TransformInput = Parameters<RouteTransform>[0]

/**
 * The zod transform, plus what the document promises about every route: a documented route has an
 * `operationId` (the handler it runs, `registrations.create`) and a tag, or the document is not built;
 * a route with a `multipartBody` documents both encodings of its body.
 */
export const routeTransform: RouteTransform = (input) => {
  const { multipartBody, ...schema } = input.schema ?? {}
  const transformed = jsonSchemaTransform({ ...input, schema } as TransformInput)
  const documented = transformed.schema as Record<string, unknown> | undefined
  if (!documented || documented.hide) return transformed
  if (typeof schema.operationId !== 'string' || !schema.tags?.length) {
    throw new Error(`${input.route.method} ${input.url}: a documented route needs an operationId and a tag`)
  }
  if (schema.body instanceof z.ZodOptional) OPTIONAL_BODY_OPERATIONS.add(schema.operationId)
  if (multipartBody) {
    const multipart = jsonSchemaTransform({ ...input, schema: { body: multipartBody } } as TransformInput)
    const { consumes: _consumes, ...rest } = documented
    transformed.schema = {
      ...rest,
      body: {
        content: {
          'application/json': { schema: documented.body },
          'multipart/form-data': { schema: (multipart.schema as Record<string, unknown>).body },
        },
      },
    }
  }
  return transformed
}
