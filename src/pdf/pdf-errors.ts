import { AppError } from '../errors/app-error.js'

/** The multipart part that carries the PDF; every refusal of its content names it. */
export const FILE_FIELD = 'file'
/** The multipart part that carries the document's JSON metadata. */
export const METADATA_FIELD = 'metadata'

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
