import { z } from 'zod'

/**
 * The strict formats of what a Privy callback says. docs/privy-contract.md §2.3's canonical form drops every whitespace
 * character, in string values too (and NBSP, U+3000...), so whitespace can be added to a genuine
 * callback without breaking its signature: a value that carries any is refused, never trimmed or
 * normalised into another value. Ids, tokens, references and codes have none and a bounded charset;
 * dates parse; the only free text (a reject reason) is words split by single ASCII spaces.
 * Where the contract fixes no format, these are [chosen] and kept here, easy to change.
 */

const NO_WHITESPACE = 'no whitespace'

/** Letters and digits, then `.`, `_`, `:`, `-`: reference numbers, channel ids, Privy ids. */
export function identifier(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
      `must be letters, digits, '.', '_', ':' or '-' (${NO_WHITESPACE}), at most ${max} characters`,
    )
}

/** docs/privy-contract.md §3.1: at most 64 characters. */
export const ReferenceNumber = identifier(64)
export const ChannelId = identifier(64)
export const PrivyId = identifier(64)

/** A register or document token: base64, base64url, hex or a JWT. */
export const UpstreamToken = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9._~+/=-]+$/, `must be a token: base64, base64url, hex or a JWT (${NO_WHITESPACE})`)

/** ISO-8601 with `Z` or an offset, and a real instant. */
export const UpstreamTime = z.iso
  .datetime({ offset: true, abort: true, message: 'must be an ISO-8601 date and time with Z or an offset' })
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date that exists')

/** An email as Privy echoes it (maybe masked with `*`): one `@`, no whitespace or control. */
export const UpstreamEmail = z
  .string()
  .max(254)
  .regex(/^[^\s@\p{C}]{1,64}@[^\s@\p{C}]{1,189}$/u, `must be an email address (${NO_WHITESPACE})`)

/** docs/privy-contract.md §3.1: `62` and digits; a masked echo may hide some with `*`. */
export const UpstreamPhone = z
  .string()
  .regex(/^[0-9*]{6,20}$/, `must be 6 to 20 digits or '*' (${NO_WHITESPACE}, no '+')`)

/** docs/privy-contract.md §3.2: `RC01`, `RC09`... */
export const RejectCode = z
  .string()
  .regex(/^[A-Z0-9_]{1,16}$/, `must be a code of capital letters, digits or '_' (${NO_WHITESPACE})`)

/**
 * Free text: words of visible characters split by single ASCII spaces, nothing before or after. The
 * signature cannot tell one space from two, or a space from NBSP: only one spelling is accepted.
 */
export function freeText(max: number) {
  return z
    .string()
    .max(max)
    .regex(
      /^[^\s\p{C}]+(?: [^\s\p{C}]+)*$/u,
      'must be words split by single spaces, with no other whitespace or control characters',
    )
}

/** The page where a signer signs: http(s), no whitespace (a URL parser would drop some silently). */
export const SigningUrl = z
  .string()
  .max(2048)
  .regex(/^\S+$/, `must be a URL (${NO_WHITESPACE})`)
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))

/** An e-Meterai serial number: capital letters, digits and '-'. */
export const EmeteraiSerial = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, `must be letters, digits or '-' (${NO_WHITESPACE})`)

/**
 * An e-Meterai stamp's progress [chosen: the contract names none; these are the ones the documents
 * module orders, so any other value could not be placed].
 */
export const EMETERAI_STATUSES = ['waiting', 'processing', 'stamped', 'failed'] as const

/** Absent or `null` (some upstreams send `null` for what they do not have): undefined either way. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined)
}
