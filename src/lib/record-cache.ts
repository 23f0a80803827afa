/**
 * A bounded, process-local copy of the rows status reads serve, so a status poll of a record that did
 * not change costs no database round trip (README, Benchmark: "The record cache").
 *
 * Bounded: at most `maxEntries` rows (least recently used dropped first), each kept at most
 * `maxAgeMs` after it was read. Invalidated: by every write of this process through the repository
 * (`evict` before and after the write), and by every committed change of any instance, heard through
 * the database's notifications (src/db/record-changes.ts). While those are not heard (not yet
 * listening, or the listening connection dropped) it holds nothing and serves nothing.
 *
 * A read that began before an eviction must not put back what it read: `begin()` is taken before the
 * database read and `set` refuses when any eviction happened since.
 */
export interface RecordCacheOptions {
  /** 0 turns the cache off. */
  maxEntries: number
  maxAgeMs: number
  now?: () => number
}

interface Entry<T> {
  value: T
  readAt: number
}

export class RecordCache<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #maxEntries: number
  readonly #maxAgeMs: number
  readonly #now: () => number
  #generation = 0
  #active = false

  constructor(options: RecordCacheOptions) {
    this.#maxEntries = options.maxEntries
    this.#maxAgeMs = options.maxAgeMs
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#entries.size
  }

  get active(): boolean {
    return this.#active
  }

  /** Turned on once changes are heard; turned off (and emptied) whenever they may be missed. */
  setActive(active: boolean): void {
    this.clear()
    this.#active = active && this.#maxEntries > 0
  }

  get(id: string): T | undefined {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    if (this.#now() - entry.readAt > this.#maxAgeMs) {
      this.#entries.delete(id)
      return undefined
    }
    // Most recently used last: Map keeps insertion order, so the first key is the one to drop.
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    return entry.value
  }

  /** A token for `set`: taken before reading the database. */
  begin(): number {
    return this.#generation
  }

  /** Keeps `value` unless the cache is off or anything was evicted since `token` was taken. */
  set(id: string, value: T, token: number): void {
    if (!this.#active || token !== this.#generation) return
    this.#entries.delete(id)
    this.#entries.set(id, { value, readAt: this.#now() })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest === undefined) break
      this.#entries.delete(oldest)
    }
  }

  evict(id: string): void {
    this.#generation += 1
    this.#entries.delete(id)
  }

  clear(): void {
    this.#generation += 1
    this.#entries.clear()
  }
}
