import { AppError } from '../../../errors/app-error.js'

/** The two photo fields of a `privy_ra` / `merchant_ra` registration, named as the merchant sends them. */
export type ImageField = 'ktp' | 'selfie'

/** 400 naming one field; the message must never carry the value (it may be a NIK, a date or image bytes). */
export function invalidField(path: string, message: string, cause?: unknown): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `${path} ${message}`,
    errors: [{ path, message }],
    cause,
  })
}

/** 413 naming the field and its own cap, so a client knows which photo to shrink and by how much. */
export function fieldTooLarge(path: string, maxBytes: number): AppError {
  const message = `must be at most ${formatMegabytes(maxBytes)}`
  return new AppError('PAYLOAD_TOO_LARGE', { detail: `${path} ${message}`, errors: [{ path, message }] })
}

/**
 * Caps are configured in bytes; people read megabytes (MiB, as file managers show them). Rounded
 * down, so a file that matches the printed number is never refused.
 */
export function formatMegabytes(bytes: number): string {
  const megabytes = Math.floor((bytes / 1_048_576) * 10) / 10
  if (megabytes >= 0.1) return `${megabytes} MB`
  return `${Math.max(1, Math.floor(bytes / 1024))} KB`
}
