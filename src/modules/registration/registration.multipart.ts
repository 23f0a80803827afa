import type { FastifyRequest } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import { fieldTooLarge, invalidField } from '../../http/field-errors.js'
import {
  busboyLimits,
  FORM_HEADROOM_BYTES,
  type FormLimits,
  type FormReading,
  readCappedFile,
  readForm,
  readTextField,
  refusePart,
} from '../../http/multipart.js'
import { type ImageField, maxBase64ImageLength } from './identity/index.js'
import type { ImageLimits } from './registration.identity.js'

const MAX_FIELD_BYTES = 1024

export interface RegistrationUploadLimits {
  ktpMaxBytes: number
  selfieMaxBytes: number
  /** Largest text field; a registration's longest is an email (254) or a name. */
  maxFieldBytes: number
}

export interface RegistrationMultipart {
  fields: Record<string, string>
  files: { ktp?: Buffer; selfie?: Buffer }
}

/** 2 files, 12 text fields (the registration has 7, leaving room for the optional ones), 14 parts. */
function registrationForm(limits: RegistrationUploadLimits): FormLimits {
  return {
    files: 2,
    fields: 12,
    parts: 14,
    maxFileBytes: Math.max(limits.ktpMaxBytes, limits.selfieMaxBytes),
    maxFieldBytes: limits.maxFieldBytes,
  }
}

/** busboy limits for the registration route (see `busboyLimits`). */
export function registrationMultipartLimits(limits: RegistrationUploadLimits) {
  return busboyLimits(registrationForm(limits))
}

/** The most an acceptable multipart registration weighs: both images at their caps and the fields. */
export function registrationUploadBytes(
  limits: Pick<RegistrationUploadLimits, 'ktpMaxBytes' | 'selfieMaxBytes'>,
) {
  return limits.ktpMaxBytes + limits.selfieMaxBytes + FORM_HEADROOM_BYTES
}

/**
 * Reads a `multipart/form-data` registration as a stream: text fields as strings, `ktp` and `selfie`
 * each capped while read. The bytes are only collected here; `inspectImage` judges them.
 */
export async function readRegistrationMultipart(
  request: FastifyRequest,
  limits: RegistrationUploadLimits,
): Promise<RegistrationMultipart> {
  const fields: Record<string, string> = {}
  const files: RegistrationMultipart['files'] = {}
  const caps: Record<ImageField, number> = { ktp: limits.ktpMaxBytes, selfie: limits.selfieMaxBytes }
  const reading: FormReading = {
    form: 'a registration',
    limits: registrationForm(limits),
    tooLarge: (name) =>
      isImageField(name)
        ? fieldTooLarge(name, caps[name])
        : new AppError('PAYLOAD_TOO_LARGE', { detail: 'A file is larger than allowed' }),
  }
  await readForm(request, reading, async (part) => {
    const name = part.fieldname
    if (part.type === 'file') {
      if (!isImageField(name))
        throw refusePart(part, 'is not an accepted file part (only ktp and selfie are)')
      if (files[name] !== undefined) throw refusePart(part, 'must be sent once')
      files[name] = await readCappedFile(part, caps[name])
      return
    }
    if (isImageField(name)) throw invalidField(name, 'must be sent as a file part')
    const value = readTextField(part, limits.maxFieldBytes)
    // @fastify/multipart turns parts declared application/json into objects; a registration has none.
    if (typeof value !== 'string') throw invalidField(name, 'must be a plain text field')
    if (Object.hasOwn(fields, name)) throw invalidField(name, 'must be sent once')
    fields[name] = value
  })
  return { fields, files }
}

/**
 * Mobile apps send the identity images as files. This turns a multipart registration into the body
 * the JSON one validates as (`phone_verified` as a boolean), with the images kept as the bytes they
 * arrived as: the body schema takes bytes or base64 text, and the Privy client encodes them once.
 * Files are capped while streaming.
 */
export async function multipartToBody(request: FastifyRequest, limits: ImageLimits): Promise<void> {
  if (!request.isMultipart()) return
  const { fields, files } = await readRegistrationMultipart(request, {
    ktpMaxBytes: limits.ktpMaxBytes,
    selfieMaxBytes: limits.selfieMaxBytes,
    maxFieldBytes: MAX_FIELD_BYTES,
  })
  const body: Record<string, unknown> = { ...fields }
  if ('phone_verified' in fields) body.phone_verified = parseBooleanField(fields.phone_verified)
  if (files.ktp) body.ktp = files.ktp
  if (files.selfie) body.selfie = files.selfie
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

function isImageField(name: string): name is ImageField {
  return name === 'ktp' || name === 'selfie'
}
