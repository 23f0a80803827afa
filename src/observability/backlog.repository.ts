import type { PrismaClient } from '../generated/prisma/client.js'

/**
 * Counts stop here: a gauge that reads 10000 says "at least"; counting further would make a scrape as
 * slow as the backlog is large, just when the database is already behind.
 */
export const BACKLOG_COUNT_CAP = 10_000

export interface BacklogRow {
  metric: string
  label: string
  value: number
}

/**
 * One statement for every gauge the database holds, each part on an index (webhook_events
 * (dispatched_at, created_at), webhook_deliveries (state, next_attempt_at), privy_callbacks
 * (state, received_at), registrations and documents (submission, synced_at)) and each count capped,
 * under a statement timeout: a scrape costs the database a few index probes, whatever the backlog.
 */
export function createBacklogRepository(prisma: PrismaClient) {
  return {
    async read(now: Date, timeoutMs: number): Promise<BacklogRow[]> {
      const cap = BACKLOG_COUNT_CAP
      return prisma.$transaction(
        async (tx) => {
          // SET cannot take a bind parameter; the value is an integer from the config.
          await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}`)
          const rows = await tx.$queryRaw<Array<{ metric: string; label: string; value: number | null }>>`
            SELECT 'outbox_pending' AS metric, '' AS label,
              (SELECT count(*) FROM (SELECT 1 FROM webhook_events WHERE dispatched_at IS NULL LIMIT ${cap}) s)::float8 AS value
            UNION ALL SELECT 'outbox_oldest_age', '',
              EXTRACT(EPOCH FROM ${now}::timestamptz - (SELECT min(created_at) FROM webhook_events WHERE dispatched_at IS NULL))::float8
            UNION ALL SELECT 'deliveries_pending', '',
              (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' LIMIT ${cap}) s)::float8
            UNION ALL SELECT 'deliveries_due', '',
              (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ${now} LIMIT ${cap}) s)::float8
            UNION ALL SELECT 'deliveries_oldest_due_age', '',
              EXTRACT(EPOCH FROM ${now}::timestamptz - (SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ${now}))::float8
            UNION ALL SELECT 'callbacks', s.state::text,
              (SELECT count(*) FROM (SELECT 1 FROM privy_callbacks c WHERE c.state = s.state LIMIT ${cap}) x)::float8
              FROM unnest(enum_range(NULL::"PrivyCallbackState")) AS s(state)
            UNION ALL SELECT 'submissions', k.kind || ':' || k.state, k.value FROM (
              SELECT 'registration' AS kind, st AS state,
                (SELECT count(*) FROM (SELECT 1 FROM registrations WHERE submission = st::"SubmissionState" LIMIT ${cap}) x)::float8 AS value
                FROM unnest(ARRAY['unknown', 'unresolved']) AS st
              UNION ALL SELECT 'document', st,
                (SELECT count(*) FROM (SELECT 1 FROM documents WHERE submission = st::"SubmissionState" LIMIT ${cap}) x)::float8
                FROM unnest(ARRAY['unknown', 'unresolved']) AS st
            ) k
            UNION ALL SELECT 'unknown_oldest_age', 'registration',
              EXTRACT(EPOCH FROM ${now}::timestamptz - (SELECT min(created_at) FROM registrations WHERE submission = 'unknown'))::float8
            UNION ALL SELECT 'unknown_oldest_age', 'document',
              EXTRACT(EPOCH FROM ${now}::timestamptz - (SELECT min(created_at) FROM documents WHERE submission = 'unknown'))::float8
          `
          return rows.map((row) => ({ metric: row.metric, label: row.label, value: row.value ?? 0 }))
        },
        { timeout: timeoutMs + 1_000, maxWait: timeoutMs },
      )
    },
  }
}

export type BacklogRepository = ReturnType<typeof createBacklogRepository>
