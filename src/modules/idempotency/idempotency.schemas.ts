import { z } from 'zod'

/**
 * The `Idempotency-Key` header of every POST that can reach Privy. Loose: the other headers pass
 * through untouched.
 */
export const IdempotencyKeyHeaderSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .meta({
      description:
        'Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte ' +
        '(with `Idempotent-Replayed: true`); the same key with different content answers 422; while the ' +
        'first request runs, 409. A UUID v4 per user action is ideal.',
    }),
})
