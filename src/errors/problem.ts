import { z } from 'zod'
import type { ErrorCode } from './error-codes.js'

/** RFC 9457 problem document, as every error of the API is answered. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem; stable per `code`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().describe('Stable machine-readable error code'),
    request_id: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    upstream: z
      .object({
        status: z.number().int().optional(),
        code: z.union([z.string(), z.number()]).optional(),
        request_id: z.string().optional(),
      })
      .optional()
      .describe('Present when Privy caused the failure'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' })

export type Problem = z.infer<typeof ProblemSchema>

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export function problemType(code: ErrorCode): string {
  return `urn:privy-gateway:problem:${code.toLowerCase().replaceAll('_', '-')}`
}
