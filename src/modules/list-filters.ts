import { z } from 'zod'
import { AppError } from '../errors/app-error.js'
import { ownerIdFor, type Principal } from '../lib/principal.js'
import { TEXT_RULES, text } from '../lib/text.js'

/** `user:<sub>` or `operator:<key id>`, the rest one line of text (lib/text.ts): one OpenAPI pattern. */
const OWNER_PATTERN = new RegExp(
  `^(?:user|operator):${TEXT_RULES.line.pattern.source.slice(1).replace(/\*\$$/u, '+$')}`,
  'u',
)

/**
 * The filters every operator list shares (registrations and documents): who owns it, when it was
 * created, its reference number. Shared by both modules: the same names, the same rules.
 */
export const ListFilterFields = {
  owner: z
    .string()
    .max(200)
    .regex(OWNER_PATTERN, 'must be an owner as lists show it: `user:<sub>` or `operator:<key id>`')
    .optional()
    .describe('Operators only: rows created by this owner (`user:<sub>` or `operator:<key id>`)')
    .meta({ example: 'user:alice' }),
  created_after: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' })
    .optional()
    .describe('Only rows created at or after this instant'),
  created_before: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-31T00:00:00Z' })
    .optional()
    .describe('Only rows created before this instant'),
  reference_number: text({ min: 1, max: 64, trim: true })
    .optional()
    .describe('Only the row with this reference number')
    .meta({ example: 'REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B' }),
}

type FilterQuery = {
  owner?: string | undefined
  created_after?: string | undefined
  created_before?: string | undefined
  reference_number?: string | undefined
}

/** What a repository filters on: the caller's scope decided, dates parsed. */
export interface ListFilters {
  /** A user's scope: only what this owner id may read (each module says what that is). */
  viewer?: string
  /** An operator's filter: only rows this owner id created. */
  owner?: string
  createdAfter?: Date
  createdBefore?: Date
  referenceNumber?: string
}

const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', {
    detail: `query.${path} ${message}`,
    errors: [{ path: `query.${path}`, message }],
  })

/**
 * The filters as a repository takes them. A user always sees only their own rows, so naming an owner
 * is refused rather than silently ignored; an empty date range is refused as a mistake.
 */
export function listFiltersOf(principal: Principal, query: FilterQuery): ListFilters {
  if (principal.kind === 'user' && query.owner !== undefined) {
    throw invalid('owner', 'is a filter for operators: a user lists only their own')
  }
  const createdAfter = query.created_after ? new Date(query.created_after) : undefined
  const createdBefore = query.created_before ? new Date(query.created_before) : undefined
  if (createdAfter && createdBefore && createdAfter >= createdBefore) {
    throw invalid('created_before', 'must be later than created_after')
  }
  return {
    ...(principal.kind === 'user' ? { viewer: ownerIdFor(principal) } : {}),
    ...(query.owner ? { owner: query.owner } : {}),
    ...(createdAfter ? { createdAfter } : {}),
    ...(createdBefore ? { createdBefore } : {}),
    ...(query.reference_number ? { referenceNumber: query.reference_number } : {}),
  }
}

/** The Prisma-shaped `where` of the date and reference filters (the owner is each module's own rule). */
export function createdWithin(filters: ListFilters) {
  return {
    ...(filters.createdAfter || filters.createdBefore
      ? {
          createdAt: {
            ...(filters.createdAfter ? { gte: filters.createdAfter } : {}),
            ...(filters.createdBefore ? { lt: filters.createdBefore } : {}),
          },
        }
      : {}),
    ...(filters.referenceNumber ? { referenceNumber: filters.referenceNumber } : {}),
  }
}

/** `owner` in a view: the operator sees whose it is; a user never sees the field. */
export function ownerFor(principal: Principal, ownerId: string): { owner?: string } {
  return principal.kind === 'operator' ? { owner: ownerId } : {}
}
