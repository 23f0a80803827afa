import { AppError } from '../../../errors/app-error.js'

/** The multipart part that carries the PDF; every refusal of its content names it. */
export const FILE_FIELD = 'file'
/** The multipart part that carries the document's JSON metadata. */
export const METADATA_FIELD = 'metadata'

/** 400 naming one part or field: the request itself is wrong (missing, repeated, not JSON, empty). */
export function invalidPart(path: string, message: string, cause?: unknown): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `${path} ${message}`,
    errors: [{ path, message }],
    cause,
  })
}

/** 422: the upload is well formed but its PDF cannot be signed as it is. Messages never quote its bytes. */
export function unprocessablePdf(message: string, cause?: unknown): AppError {
  return new AppError('UNPROCESSABLE', {
    detail: `${FILE_FIELD} ${message}`,
    errors: [{ path: FILE_FIELD, message }],
    cause,
  })
}

/**
 * 422 PDF_TOO_COMPLEX: the file passed a limit of the PDF checks (pages, objects, time, memory). Its own
 * code, so a client can tell "make it simpler or smaller" from "this is not a PDF we can sign".
 */
export function tooComplexPdf(message: string, cause?: unknown): AppError {
  return new AppError('PDF_TOO_COMPLEX', {
    detail: `${FILE_FIELD} ${message}`,
    errors: [{ path: FILE_FIELD, message }],
    cause,
  })
}

/** 413 naming the part and its cap, so a client knows what to shrink and by how much. */
export function partTooLarge(path: string, maxBytes: number): AppError {
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
