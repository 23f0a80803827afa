/**
 * Cursor pagination as an async iterator: `for await (const r of client.registrations.list())`
 * yields every item across pages, fetching the next page only when the loop gets there.
 */

export interface Page<T> {
  data: T[]
  next_cursor: string | null
}

export class Paginator<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => PromiseLike<Page<T>>) {}

  /** Page by page, for a caller that wants the page boundaries or `next_cursor`. */
  async *pages(startCursor?: string): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = startCursor
    for (;;) {
      const page = await this.fetchPage(cursor)
      yield page
      if (page.next_cursor === null || page.data.length === 0) return
      cursor = page.next_cursor
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data
  }

  /** Every item, at most `max` (a bound, so a long list cannot fill memory by accident). */
  async toArray(max = 1000): Promise<T[]> {
    const items: T[] = []
    for await (const item of this) {
      if (items.length === max) break
      items.push(item)
    }
    return items
  }
}
