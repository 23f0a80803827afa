import type { FastifyInstance, FastifyRequest } from 'fastify'
import { SimError } from './errors.js'

/**
 * Every body is read as text and parsed here, not by Fastify's JSON parser, so that a wrong content
 * type or broken JSON gets the contract's error shape (docs/privy-contract.md §1) and the signature is checked over exactly
 * the object the client sent.
 */
export function installRawBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body))
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false
  const [mediaType, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase())
  if (mediaType !== 'application/json') return false
  // docs/privy-contract.md §1: UTF-8. A charset parameter is optional, but when present it must say so.
  return parameters.every(
    (parameter) => !parameter.startsWith('charset=') || /^charset="?utf-?8"?$/.test(parameter),
  )
}

/** The body as a JSON object; 400 for a wrong content type, broken JSON or a non-object (docs/privy-contract.md §1). */
export function jsonObjectBody(request: FastifyRequest): Record<string, unknown> {
  if (!isJsonContentType(request.headers['content-type'])) {
    throw new SimError(400, ['Content-Type must be application/json (UTF-8)'])
  }
  const text = typeof request.body === 'string' ? request.body : ''
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new SimError(400, ['Request body is not valid JSON'])
  }
  if (!isPlainObject(parsed)) throw new SimError(400, ['Request body must be a JSON object'])
  return parsed
}

/** For the /__sim surface, where a body is optional: no body at all reads as `{}`. */
export function optionalJsonObjectBody(request: FastifyRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === '') return {}
  return jsonObjectBody(request)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
