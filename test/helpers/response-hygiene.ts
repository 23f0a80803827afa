/**
 * What no answer of the gateway may carry, whatever went wrong: a stack trace, a path on the server,
 * or the words of a library underneath (Prisma, pg, undici, Node's network errors).
 */
export const INTERNAL_LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['a stack frame', /\bat .+\.(ts|js|mjs|cjs):\d+/],
  ['a stack frame', /\bat (async )?[\w.<>]+ \(/],
  ['a server path', /\/work\/|node_modules|\/src\/(modules|privy|plugins|db|errors)\//],
  ['a Prisma message', /prisma|PrismaClient|P20\d\d\b|Invalid `.*` invocation/i],
  [
    'a pg message',
    /duplicate key value|violates (unique|foreign key|not-null|check) constraint|relation "[^"]+"|syntax error at or near|column "[^"]+" (does not exist|of relation)|\bSQLSTATE\b|pg_/,
  ],
  [
    'an undici message',
    /\bUND_ERR_\w+|undici|HeadersTimeoutError|BodyTimeoutError|SocketError|other side closed/i,
  ],
  ['a Node network error', /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)\b/],
  ['a JavaScript error', /\b(TypeError|ReferenceError|SyntaxError|RangeError): /],
  ['a Privy client error name', /Privy(Api|Server|Connection|Timeout|Redirect|ResponseValidation)Error/],
]

/** The leaks found in `text`, by kind; empty when the answer is clean. */
export function internalLeaks(text: string): string[] {
  return INTERNAL_LEAKS.filter(([, pattern]) => pattern.test(text)).map(
    ([kind, pattern]) => `${kind}: ${text.match(pattern)?.[0]}`,
  )
}
