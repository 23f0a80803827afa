import { ProblemSchema } from '../errors/problem.js'

/** Documents the problem+json answers a route may give, all of one shape. */
export function problemResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]))
}
