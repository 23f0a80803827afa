/**
 * Whether a status read whose answer changed nothing should still record when it asked (`synced_at`).
 * Only once the record is as old as the refresh interval: that write is what stops plain reads (and
 * the poller) from asking Privy again and again, and nothing else needs it. Within the interval a
 * read that changes nothing writes nothing, so clients polling with `refresh=true` cost one read
 * (README, Benchmark); the row, its `updated_at` and the outbox stay as they were.
 */
export function syncedAtIsDue(syncedAt: Date | null, now: Date, refreshAfterSeconds: number): boolean {
  return !syncedAt || now.getTime() - syncedAt.getTime() >= refreshAfterSeconds * 1000
}
