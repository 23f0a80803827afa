import { AppError, type FieldError } from '../../errors/app-error.js'
import { checkNikAgainstDob, decodeBase64Image, inspectImage } from './identity/index.js'

export interface ImageLimits {
  ktpMaxBytes: number
  selfieMaxBytes: number
}

export interface IdentityInput {
  nik?: string
  dob?: string
  /** Base64 text from a JSON body, or the bytes of a multipart file part. */
  ktp?: string | Buffer
  selfie?: string | Buffer
}

/** The identity fields under Privy's names; the images stay bytes (the Privy client encodes them). */
export interface UpstreamIdentity {
  nik?: string
  dob?: string
  identity?: Buffer
  selfie?: Buffer
}

/**
 * Checks what only content can tell (the NIK's birth date against `dob`, the images' real format
 * and decodability) before anything goes upstream, and reports every problem at once.
 */
export async function prepareIdentity(
  input: IdentityInput,
  limits: ImageLimits,
  now: Date,
): Promise<UpstreamIdentity> {
  const errors: FieldError[] =
    input.nik !== undefined && input.dob !== undefined ? checkNikAgainstDob(input.nik, input.dob, now) : []
  const [identity, selfie] = await Promise.allSettled([
    input.ktp === undefined ? undefined : checkedImage(input.ktp, 'ktp', limits.ktpMaxBytes),
    input.selfie === undefined ? undefined : checkedImage(input.selfie, 'selfie', limits.selfieMaxBytes),
  ])
  for (const result of [identity, selfie]) {
    if (result.status === 'rejected') {
      const error: unknown = result.reason
      // Too large is its own answer (413); other image problems join the field errors.
      if (!(error instanceof AppError) || error.code === 'PAYLOAD_TOO_LARGE') throw error
      errors.push(...(error.options.errors ?? [{ path: 'image', message: error.message }]))
    }
  }
  if (errors.length > 0) {
    throw new AppError('UNPROCESSABLE', {
      detail: 'The identity data is not consistent or not usable',
      errors,
    })
  }
  return {
    nik: input.nik,
    dob: input.dob,
    identity: identity.status === 'fulfilled' ? identity.value : undefined,
    selfie: selfie.status === 'fulfilled' ? selfie.value : undefined,
  }
}

async function checkedImage(
  value: string | Buffer,
  field: 'ktp' | 'selfie',
  maxBytes: number,
): Promise<Buffer> {
  // Text is decoded here, once; a file part is already bytes, capped while it was read.
  const bytes = typeof value === 'string' ? decodeBase64Image(value, field, maxBytes) : value
  await inspectImage(bytes, field, { maxBytes })
  return bytes
}
