import fastJson from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify'
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod'
import { type ZodType, z } from 'zod'

type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0]

/**
 * The success answer of a hot route (the status reads) written by fastify's compiled serializer
 * (fast-json-stringify) from the JSON Schema of the route's zod response schema, instead of zod
 * encoding the object and JSON.stringify writing it (README, Benchmark). What a client may see does
 * not change: only the properties the schema names are written, so a field the view does not list
 * (a token, a NIK) never reaches the body either way. Every other status (the problem answers), and a
 * schema JSON Schema cannot express, keep zod's serializer.
 */
export function compiledSuccessSerializer(input: SerializerCompiler): (data: unknown) => string {
  const { schema, httpStatus } = input as SerializerCompiler & { httpStatus?: string }
  if (httpStatus === '200' && schema instanceof z.ZodType) {
    try {
      const jsonSchema = z.toJSONSchema(schema as ZodType, { io: 'output', target: 'draft-7' })
      return fastJson(jsonSchema as Parameters<typeof fastJson>[0]) as (data: unknown) => string
    } catch {
      // Not expressible as JSON Schema: zod's own serializer below.
    }
  }
  return zodSerializerCompiler(input)
}

/** As a route's `serializerCompiler`, whatever the route's schema type. */
// biome-ignore lint/suspicious/noExplicitAny: fastify types this per route schema; it serves any
export const compiledSuccessSerializerCompiler = compiledSuccessSerializer as FastifySerializerCompiler<any>
