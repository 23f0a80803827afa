import { z } from 'zod'

/**
 * The one rule for text a caller sends that can reach the database, a log or Privy.
 *
 * PostgreSQL refuses a NUL in `text` and `\u0000` or an unpaired surrogate in `jsonb`: such a value
 * used to get as far as the query and answer 500. The other control characters are stored, but they
 * have no place in a title, an id or a URL: they hide text on an operator's screen, end log lines,
 * and a URL parser silently drops tabs and newlines, so what is stored is not what is called. So:
 *
 * - `line` (the default, every field but the two below): no C0 control (U+0000–U+001F), no DEL
 *   (U+007F), no C1 control (U+0080–U+009F: in text they are almost always mis-decoded Windows-1252),
 *   no unpaired surrogate (a JSON `\ud800` alone is not a character).
 * - `lines`: the same, but tab, CR and LF are allowed. For free text that may span lines (a webhook
 *   endpoint's description) and for base64 images, which MIME encoders and Android wrap in lines.
 *
 * The patterns work on code points (the `u` flag): a real surrogate pair (an emoji) is one character
 * and passes. They are what OpenAPI shows as `pattern`, and a test walks the document to make sure no
 * request string lacks one (test/unit/openapi-text-fields.test.ts).
 */
export type TextKind = 'line' | 'lines'

export const TEXT_RULES: Readonly<Record<TextKind, { pattern: RegExp; message: string }>> = {
  line: {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    pattern: /^[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]*$/u,
    message:
      'must be one line of text: no control characters (U+0000–U+001F, U+007F–U+009F) or unpaired surrogates',
  },
  lines: {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    pattern: /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]*$/u,
    message:
      'must not contain control characters other than tab and line breaks (U+0000–U+001F, U+007F–U+009F) or unpaired surrogates',
  },
}

export interface TextOptions {
  /** Longest accepted, in UTF-16 code units (zod's `max`); every text field has a bound. */
  max: number
  min?: number
  /** Leading and trailing whitespace dropped before the checks (a pasted title's newline, say). */
  trim?: boolean
  kind?: TextKind
}

/** A text field: `z.string()` with the rule of its kind, shown in OpenAPI as `pattern`. */
export function text({ max, min, trim = false, kind = 'line' }: TextOptions): z.ZodString {
  const { pattern, message } = TEXT_RULES[kind]
  let schema = z.string()
  if (trim) schema = schema.trim()
  schema = schema.regex(pattern, message)
  if (min !== undefined) schema = schema.min(min)
  return schema.max(max)
}

/**
 * The same rule on a string schema built otherwise, such as `z.url()`. zod's own `.regex()` would
 * replace the schema's `format` in OpenAPI, so the check is a refinement and the pattern is shown
 * through the schema's metadata.
 */
export function checkedText<T extends z.ZodType<string, string>>(schema: T, kind: TextKind = 'line'): T {
  const { pattern, message } = TEXT_RULES[kind]
  return schema.refine((value) => pattern.test(value), { message }).meta({ pattern: pattern.source })
}

/** For text read outside a zod schema (a JWT `sub`): true when the rule of `kind` refuses it. */
export function breaksTextRule(value: string, kind: TextKind = 'line'): boolean {
  return !TEXT_RULES[kind].pattern.test(value)
}
