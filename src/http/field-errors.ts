import { AppError } from '../errors/app-error.js'

/** 400 naming one field or part; the message must never carry the value (a NIK, a date, file bytes). */
export function invalidField(path: string, message: string, cause?: unknown): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `${path} ${message}`,
    errors: [{ path, message }],
    cause,
  })
}

/** 413 naming the field and its own cap, so a client knows what to shrink and by how much. */
export function fieldTooLarge(path: string, maxBytes: number): AppError {
  const message = `must be at most ${formatBytes(maxBytes)}`
  return new AppError('PAYLOAD_TOO_LARGE', { detail: `${path} ${message}`, errors: [{ path, message }] })
}

/**
 * Caps are configured in bytes; people read MB and KB (binary, as file managers show them). Rounded
 * down, so a file that matches the printed number is never refused.
 */
export function formatBytes(bytes: number): string {
  const megabytes = Math.floor((bytes / 1_048_576) * 10) / 10
  if (megabytes >= 1) return `${megabytes} MB`
  const kilobytes = Math.floor(bytes / 1024)
  return kilobytes >= 1 ? `${kilobytes} KB` : `${bytes} bytes`
}
