import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { FaultInjector } from '../faults.js'
import { optionalJsonObjectBody } from '../json-body.js'
import { parseBody } from '../schemas.js'
import type { Fault } from '../state.js'

const DELAYING_KINDS = new Set(['delay', 'commit_then_timeout'])

const faultBody = z
  .strictObject({
    path: z
      .string()
      .regex(/^\/[^?#\s]*$/, 'must be a request path such as /web/api/v2/register, without a query')
      .refine((path) => !path.startsWith('/__sim'), 'the /__sim surface cannot be faulted'),
    kind: z.enum(['status', 'malformed_json', 'malformed_data', 'drop', 'delay', 'commit_then_timeout']),
    times: z.number().int().min(0).optional(),
    sticky: z.boolean().optional(),
    status: z.number().int().min(400).max(599).optional(),
    delay_ms: z.number().int().min(0).max(600_000).optional(),
    keep: z.array(z.string().min(1).max(64)).max(32).optional(),
    /** `status`: the error's machine-readable details (docs/privy-contract.md §4: `retry_after`, `remaining_attempts`...). */
    data: z.record(z.string().max(64), z.union([z.number(), z.string().max(200), z.boolean()])).optional(),
  })
  .superRefine((fault, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message })
    if (fault.kind === 'status' && fault.status === undefined) issue('status', 'is required for kind status')
    if (fault.kind !== 'status' && fault.status !== undefined) issue('status', 'applies to kind status only')
    if (fault.kind === 'delay' && fault.delay_ms === undefined)
      issue('delay_ms', 'is required for kind delay')
    if (!DELAYING_KINDS.has(fault.kind) && fault.delay_ms !== undefined) {
      issue('delay_ms', 'applies to kinds delay and commit_then_timeout only')
    }
    if (fault.kind !== 'status' && fault.data !== undefined) issue('data', 'applies to kind status only')
    if (fault.kind !== 'malformed_data' && fault.keep !== undefined) {
      issue('keep', 'applies to kind malformed_data only')
    }
    if (fault.sticky === true && fault.times !== undefined && fault.times > 0) {
      issue('times', 'contradicts sticky: true (sticky faults last until cleared)')
    }
  })

function faultView(fault: Fault) {
  return {
    id: fault.id,
    path: fault.path,
    kind: fault.kind,
    remaining: fault.remaining,
    sticky: fault.remaining === null,
    status: fault.status ?? null,
    delay_ms: fault.delayMs ?? null,
    keep: fault.keep ?? null,
    ...(fault.data === undefined ? {} : { data: fault.data }),
  }
}

/** docs/privy-contract.md §7 fault injection: `POST` adds one, `GET` lists the active ones, `DELETE` clears all. */
export const simFaultRoutes: FastifyPluginAsync<{ faults: FaultInjector }> = async (app, { faults }) => {
  app.post('/__sim/faults', async (request, reply) => {
    const fault = faults.add(parseBody(faultBody, optionalJsonObjectBody(request)))
    return reply.code(201).send({ fault: faultView(fault) })
  })

  app.get('/__sim/faults', async () => ({ faults: faults.list().map(faultView) }))

  app.delete('/__sim/faults', async () => ({ cleared: faults.clear() }))
}
