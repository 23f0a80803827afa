import { z } from 'zod'
import type { ErrorCode } from './error-codes.js'

/** RFC 9457 problem document, as every error of the API is answered. */
export const ProblemSchema = z
  .object({
    type: z
      .string()
      .describe('A URI naming the kind of problem; stable per `code`')
      .meta({ example: 'urn:privy-gateway:problem:validation-failed' }),
    title: z.string().meta({ example: 'Validation failed' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().optional().meta({ example: 'nik: the birth date in the NIK does not match dob' }),
    code: z.string().describe('Stable machine-readable error code').meta({ example: 'VALIDATION_FAILED' }),
    request_id: z.string().meta({ example: '6f1c2b3a-8d4e-4f5a-9b6c-7d8e9f0a1b2c' }),
    errors: z
      .array(
        z.object({
          path: z.string().meta({ example: 'nik' }),
          message: z.string().meta({ example: 'the birth date in the NIK does not match dob' }),
        }),
      )
      .optional(),
    upstream: z
      .object({
        status: z.number().int().optional(),
        code: z.union([z.string(), z.number()]).optional(),
        request_id: z.string().optional().meta({ example: 'a3f2c9e1-7b4d-4e8a-9c6f-1d2e3f4a5b6c' }),
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
