import type { Prisma, PrismaClient } from '../../generated/prisma/client.js'

/** The client a hit runs on: the pool, or the transaction of the work the hit guards. */
export type LimitsDb = Prisma.TransactionClient

/** One counter in one window: what a hit increments, and what a release gives back. */
export interface CounterWindow {
  bucket: string
  windowStart: Date
  /** When the row is of no more use (the end of the window, or of the next one for a sliding limit). */
  expiresAt: Date
  /** The window before this one, whose count a sliding limit weighs in. */
  previousStart: Date
}

/** A hit's result: the window's count including the hit, and the count of the window before. */
export interface CounterHit {
  count: number
  previous: number
}

/** The only code that reads or writes the abuse-limit counters. */
export function createLimitsRepository(prisma: PrismaClient) {
  return {
    /**
     * Adds one to each counter and returns the new counts, in the order given: one statement, atomic
     * per row, so any number of instances share one exact count. Rows are locked in a fixed order
     * (bucket, window), so two concurrent hits on the same counters cannot deadlock. Run in `db`, the
     * transaction of the work it guards, a hit is seen by others only once that work is committed,
     * and a refused one (the transaction rolled back) never.
     */
    async hit(windows: CounterWindow[], db: LimitsDb = prisma): Promise<CounterHit[]> {
      if (windows.length === 0) return []
      const sorted = sortedUnique(windows)
      const rows = await db.$queryRaw<
        Array<{ bucket: string; window_start: Date; count: number; previous: number }>
      >`
        WITH input AS (
          SELECT * FROM unnest(
            ${sorted.map((window) => window.bucket)}::text[],
            ${sorted.map((window) => window.windowStart.toISOString())}::timestamptz[],
            ${sorted.map((window) => window.expiresAt.toISOString())}::timestamptz[],
            ${sorted.map((window) => window.previousStart.toISOString())}::timestamptz[]
          ) WITH ORDINALITY AS hit(bucket, window_start, expires_at, previous_start, position)
        ),
        counted AS (
          INSERT INTO rate_limit_counters AS counter (bucket, window_start, expires_at, count)
          SELECT bucket, window_start, expires_at, 1 FROM input ORDER BY position
          ON CONFLICT (bucket, window_start) DO UPDATE SET count = counter.count + 1
          RETURNING bucket, window_start, count
        )
        SELECT counted.bucket, counted.window_start, counted.count,
               COALESCE(previous.count, 0) AS previous
        FROM counted
        JOIN input ON input.bucket = counted.bucket AND input.window_start = counted.window_start
        LEFT JOIN rate_limit_counters previous
          ON previous.bucket = counted.bucket AND previous.window_start = input.previous_start`
      return windows.map((window) => {
        const row = rows.find(
          (candidate) =>
            candidate.bucket === window.bucket &&
            new Date(candidate.window_start).getTime() === window.windowStart.getTime(),
        )
        if (!row) throw new Error(`rate limit counter ${window.bucket} was not written`)
        return { count: Number(row.count), previous: Number(row.previous) }
      })
    },

    /** Takes back one hit of each counter (a send refused or surely not made), in the same order. */
    async release(windows: CounterWindow[]): Promise<void> {
      if (windows.length === 0) return
      const sorted = sortedUnique(windows)
      await prisma.$executeRaw`
        INSERT INTO rate_limit_counters AS counter (bucket, window_start, expires_at, count)
        SELECT bucket, window_start, expires_at, 0
        FROM unnest(
          ${sorted.map((window) => window.bucket)}::text[],
          ${sorted.map((window) => window.windowStart.toISOString())}::timestamptz[],
          ${sorted.map((window) => window.expiresAt.toISOString())}::timestamptz[]
        ) WITH ORDINALITY AS hit(bucket, window_start, expires_at, position)
        ORDER BY position
        ON CONFLICT (bucket, window_start) DO UPDATE SET count = GREATEST(counter.count - 1, 0)`
    },

    /** The current count of one counter's window (0 when nothing was counted). */
    async count(bucket: string, windowStart: Date): Promise<number> {
      const row = await prisma.rateLimitCounter.findUnique({
        where: { bucket_windowStart: { bucket, windowStart } },
      })
      return row?.count ?? 0
    },

    /** Deletes up to `limit` counters that are of no more use; returns how many. */
    async purgeExpired(now: Date, limit = 5_000): Promise<number> {
      return prisma.$executeRaw`
        DELETE FROM rate_limit_counters
        WHERE (bucket, window_start) IN (
          SELECT bucket, window_start FROM rate_limit_counters WHERE expires_at <= ${now} LIMIT ${limit})`
    },
  }
}

export type LimitsRepository = ReturnType<typeof createLimitsRepository>

function sortedUnique(windows: CounterWindow[]): CounterWindow[] {
  const byKey = new Map<string, CounterWindow>()
  for (const window of windows) byKey.set(`${window.bucket}\u0000${window.windowStart.toISOString()}`, window)
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, window]) => window)
}
