import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'
import { sendError } from './errors.js'
import { type RequestLog, requestPath } from './request-log.js'
import type { Fault, FaultKind } from './state.js'

/** Long enough for any client deadline in this project to pass first (docs/privy-contract.md §7). */
export const DEFAULT_COMMIT_THEN_TIMEOUT_MS = 30_000

export interface FaultInput {
  path: string
  kind: FaultKind
  times?: number | undefined
  sticky?: boolean | undefined
  status?: number | undefined
  delay_ms?: number | undefined
  keep?: string[] | undefined
  data?: Record<string, number | string | boolean> | undefined
}

interface PendingSleep {
  timer: NodeJS.Timeout
  cancel(): void
}

/** Thrown into a delayed request when the simulator closes under it; its socket is already gone. */
class SimulatorClosingError extends Error {
  constructor() {
    super('Simulator closed while a fault delayed this request')
    this.name = 'SimulatorClosingError'
  }
}

/**
 * Fault injection per path (docs/privy-contract.md §7). A fault is consumed when a request on its path arrives,
 * first-added first, so a test can queue "503, then drop, then normal" on one path.
 * `status`, `drop` and `delay` act before any work; `malformed_json`, `malformed_data` and
 * `commit_then_timeout` act on the answer, after the work is done.
 */
export class FaultInjector {
  private readonly sleeps = new Set<PendingSleep>()
  private readonly applied = new WeakMap<FastifyRequest, Fault>()

  constructor(
    private readonly context: SimContext,
    private readonly requestLog: RequestLog,
  ) {}

  add(input: FaultInput): Fault {
    const sticky = input.sticky === true || input.times === 0
    const fault: Fault = {
      id: randomUUID(),
      path: input.path,
      kind: input.kind,
      remaining: sticky ? null : (input.times ?? 1),
      status: input.status,
      delayMs:
        input.kind === 'commit_then_timeout'
          ? (input.delay_ms ?? DEFAULT_COMMIT_THEN_TIMEOUT_MS)
          : input.delay_ms,
      keep: input.kind === 'malformed_data' ? (input.keep ?? DEFAULT_KEPT) : undefined,
      data: input.data,
    }
    this.context.state.faults.push(fault)
    return fault
  }

  list(): readonly Fault[] {
    return this.context.state.faults
  }

  /** Removes every fault; returns how many were active. */
  clear(): number {
    const count = this.context.state.faults.length
    this.context.state.faults = []
    return count
  }

  install(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply) => this.beforeWork(request, reply))
    app.addHook('onSend', (request, _reply, payload) => this.afterWork(request, payload))
    // Without this, close() would wait for (or leave running) a 30 s commit_then_timeout timer.
    app.addHook('preClose', async () => this.cancelAll())
  }

  cancelAll(): void {
    for (const sleep of [...this.sleeps]) sleep.cancel()
  }

  private take(path: string): Fault | undefined {
    if (path.startsWith('/__sim')) return undefined
    const faults = this.context.state.faults
    const index = faults.findIndex((fault) => fault.path === path)
    const fault = faults[index]
    if (fault === undefined) return undefined
    if (fault.remaining !== null) {
      fault.remaining -= 1
      if (fault.remaining <= 0) faults.splice(index, 1)
    }
    return fault
  }

  private async beforeWork(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const fault = this.take(requestPath(request))
    if (fault === undefined) return undefined
    this.requestLog.markFault(request, fault.kind)
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 503
        return sendError(reply, status, [`Simulated fault: HTTP ${status}`], { data: fault.data })
      }
      case 'drop':
        reply.hijack()
        request.raw.socket.destroy()
        return reply
      case 'delay':
        await this.sleep(fault.delayMs ?? 0, request)
        return undefined
      default:
        this.applied.set(request, fault)
        return undefined
    }
  }

  private async afterWork(request: FastifyRequest, payload: unknown): Promise<unknown> {
    const fault = this.applied.get(request)
    if (fault?.kind === 'malformed_json') return truncated(payload)
    if (fault?.kind === 'malformed_data') return withDataCut(payload, fault.keep ?? DEFAULT_KEPT)
    if (fault?.kind === 'commit_then_timeout') await this.sleep(fault.delayMs ?? 0, request)
    return payload
  }

  private sleep(ms: number, request: FastifyRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending: PendingSleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(pending)
          resolve()
        }, ms),
        cancel: () => {
          clearTimeout(pending.timer)
          this.sleeps.delete(pending)
          request.raw.socket.destroy()
          reject(new SimulatorClosingError())
        },
      }
      this.sleeps.add(pending)
    })
  }
}

/**
 * `malformed_data` keeps the identifiers by default: the answer still says what was created (a
 * transaction_id, a token, a reference number) while the rest of `data`, which the contract
 * requires, is gone.
 */
const DEFAULT_KEPT = ['transaction_id', 'reference_number', 'register_token', 'document_token']

/**
 * Valid JSON in the contract's envelope whose `data` holds only the `keep` members: a 201 whose body
 * parses but does not fit the operation's schema. An answer that is not such an envelope (an error)
 * is left as it is.
 */
function withDataCut(payload: unknown, keep: readonly string[]): unknown {
  if (typeof payload !== 'string') return payload
  let body: unknown
  try {
    body = JSON.parse(payload)
  } catch {
    return payload
  }
  if (typeof body !== 'object' || body === null || !('data' in body)) return payload
  const data = (body as { data: unknown }).data
  if (typeof data !== 'object' || data === null) return payload
  const cut = Object.fromEntries(Object.entries(data).filter(([name]) => keep.includes(name)))
  return JSON.stringify({ ...body, data: cut })
}

/** A strict prefix of a JSON object's text never parses, whatever the object held. */
function truncated(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : '{"message":"Created","data":{}}'
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)))
}
