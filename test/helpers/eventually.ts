/**
 * The one way a test waits for something the gateway does in the background: it polls `read` until
 * the value is there (or `done` holds) and returns it, and when `timeoutMs` passes first it throws,
 * naming `what` and the last value read. Every caller's deadline is about the event it waits for:
 * it returns as soon as the event happens, so a generous default costs nothing on a fast machine.
 */
export interface EventuallyOptions {
  /** Default 20 s: long enough for a loaded machine, reached only by a test that fails anyway. */
  timeoutMs?: number
  /** Pause between reads; default 50 ms. */
  intervalMs?: number
}

type Present<T> = Exclude<T, undefined | false | null>

/** Until `check` gives a value that is not undefined, null or false; returns it. */
export function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  options?: EventuallyOptions,
): Promise<Present<T>>
/** Until `done(value)` holds for the value `read` gives; returns that value. A timeout names `done`. */
export function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  options?: EventuallyOptions,
): Promise<T>
export async function eventually<T>(
  whatOrRead: string | (() => T | Promise<T>),
  readOrDone: (() => T | Promise<T>) | ((value: T) => boolean),
  options: EventuallyOptions = {},
): Promise<T> {
  const [what, read, done] =
    typeof whatOrRead === 'string'
      ? [whatOrRead, readOrDone as () => T | Promise<T>, isPresent]
      : [String(readOrDone), whatOrRead, readOrDone as (value: T) => boolean]
  const { timeoutMs = 20_000, intervalMs = 50 } = options
  const deadline = Date.now() + timeoutMs
  let last: { value: T } | { error: unknown } | undefined
  for (;;) {
    try {
      const value = await read()
      if (done(value)) return value
      last = { value }
    } catch (error) {
      last = { error }
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${describe(last)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

const isPresent = (value: unknown) => value !== undefined && value !== null && value !== false

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (last === undefined) return 'nothing was read'
  if ('error' in last) return `the last read threw: ${String(last.error)}`
  let text: string
  try {
    text =
      JSON.stringify(last.value, (_key, value) => (typeof value === 'bigint' ? String(value) : value)) ??
      'undefined'
  } catch {
    text = String(last.value)
  }
  return `the last value read: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`
}
