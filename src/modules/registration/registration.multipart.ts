import type { FastifyRequest } from 'fastify'
import { maxBase64ImageLength, readRegistrationMultipart } from './identity/index.js'
import type { ImageLimits } from './registration.identity.js'

const MAX_FIELD_BYTES = 1024

/**
 * Mobile apps send the identity images as files. This turns a multipart registration into the same
 * shape as the JSON one (images as base64, `phone_verified` as a boolean), so one zod schema
 * validates both and the service never knows which arrived. Files are capped while streaming.
 */
export async function multipartToJsonBody(request: FastifyRequest, limits: ImageLimits): Promise<void> {
  if (!request.isMultipart()) return
  const { fields, files } = await readRegistrationMultipart(request, {
    ktpMaxBytes: limits.ktpMaxBytes,
    selfieMaxBytes: limits.selfieMaxBytes,
    maxFieldBytes: MAX_FIELD_BYTES,
  })
  const body: Record<string, unknown> = { ...fields }
  if ('phone_verified' in fields) body.phone_verified = parseBooleanField(fields.phone_verified)
  if (files.ktp) body.ktp = files.ktp.toString('base64')
  if (files.selfie) body.selfie = files.selfie.toString('base64')
  request.body = body
}

/** Form fields are text: 'true'/'false' (and 1/0) become booleans; anything else fails validation. */
function parseBooleanField(value: string | undefined): unknown {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  return value
}

/** The largest JSON body a registration can need: both images at their caps, in base64. */
export function registrationJsonBodyLimit(limits: ImageLimits): number {
  return maxBase64ImageLength(limits.ktpMaxBytes) + maxBase64ImageLength(limits.selfieMaxBytes) + 64 * 1024
}
