import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { postgresPoolConfig } from './postgres-config.js'

/** The channel the migration `record_change_notify` announces every changed registration and document on. */
export const RECORD_CHANGED_CHANNEL = 'privy_gateway_record_changed'

export interface RecordChange {
  table: string
  id: string
}

export interface RecordChangeHandlers {
  /** A row changed or went (any instance, after its commit). */
  changed(change: RecordChange): void
  /**
   * Listening started or stopped: while `listening` is false changes may be missed, so whoever keeps
   * copies of rows must drop them and keep none until it is true again.
   */
  listening(listening: boolean): void
}

export interface RecordChangeListener {
  close(): Promise<void>
}

function parse(payload: string | undefined): RecordChange | null {
  const at = payload?.indexOf(':') ?? -1
  if (!payload || at <= 0) return null
  return { table: payload.slice(0, at), id: payload.slice(at + 1) }
}

const RECONNECT_MS = [100, 500, 1_000, 5_000]

/**
 * PostgreSQL: one connection of its own that LISTENs (a pooled one would be handed to queries), and
 * that reconnects with a growing pause when it drops; between the drop and the next LISTEN the
 * handlers are told that nothing is heard.
 */
export function listenOnPostgres(
  databaseUrl: string,
  schema: string,
  handlers: RecordChangeHandlers,
): RecordChangeListener {
  let client: pg.Client | undefined
  let closed = false
  let failures = 0
  let timer: NodeJS.Timeout | undefined

  const connect = async () => {
    if (closed) return
    const next = new pg.Client(postgresPoolConfig(databaseUrl, schema))
    client = next
    next.on('notification', (message) => {
      const change = parse(message.payload)
      if (change) handlers.changed(change)
    })
    next.on('error', () => dropped(next))
    next.on('end', () => dropped(next))
    try {
      await next.connect()
      await next.query(`LISTEN ${RECORD_CHANGED_CHANNEL}`)
      if (closed || client !== next) return
      failures = 0
      handlers.listening(true)
    } catch {
      dropped(next)
    }
  }

  const dropped = (which: pg.Client) => {
    if (client !== which) return
    client = undefined
    handlers.listening(false)
    which.end().catch(() => {})
    if (closed) return
    const pause = RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)] ?? 5_000
    failures += 1
    timer = setTimeout(() => void connect(), pause)
    timer.unref()
  }

  void connect()
  return {
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const last = client
      client = undefined
      handlers.listening(false)
      await last?.end().catch(() => {})
    },
  }
}

/** PGlite: the database lives in this process, so its notifications cannot be lost while it is open. */
export async function listenOnPglite(
  pglite: PGlite,
  handlers: RecordChangeHandlers,
): Promise<RecordChangeListener> {
  const unlisten = await pglite.listen(RECORD_CHANGED_CHANNEL, (payload) => {
    const change = parse(payload)
    if (change) handlers.changed(change)
  })
  handlers.listening(true)
  return {
    async close() {
      handlers.listening(false)
      await unlisten().catch(() => {})
    },
  }
}
