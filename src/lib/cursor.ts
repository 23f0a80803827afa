import { z } from 'zod'
import { AppError } from '../errors/app-error.js'

/** Keyset pagination over (created_at, id), newest first: the cursor names the last row seen. */
export interface CursorPosition {
  createdAt: Date
  id: string
}

const CURSOR_ID = z.uuid()

export function encodeCursor(last: CursorPosition): string {
  return Buffer.from(`${last.createdAt.toISOString()}|${last.id}`, 'utf8').toString('base64url')
}

/** Refuses anything this API did not issue, before it reaches a query (a bad uuid or date is a 500 there). */
export function decodeCursor(cursor: string, idSchema: z.ZodType<string> = CURSOR_ID): CursorPosition {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const date = new Date(createdAt ?? '')
  const year = date.getUTCFullYear()
  if (
    rest.length > 0 ||
    !idSchema.safeParse(id).success ||
    Number.isNaN(year) ||
    year < 2000 ||
    year > 9999
  ) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'The cursor is not valid',
      errors: [{ path: 'query.cursor', message: 'is not a cursor this API issued' }],
    })
  }
  return { createdAt: date, id: id ?? '' }
}

/** One page from `limit + 1` rows: the extra row only tells whether another page exists. */
export function cursorPage<T extends CursorPosition>(
  rows: T[],
  limit: number,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}
