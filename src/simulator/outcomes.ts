/**
 * Verification outcomes (docs/privy-contract.md §3.2 reject reasons, docs/privy-contract.md §7 scripted outcomes). The reason texts and the
 * NIK suffixes are [chosen] values of the contract, kept in these two tables so they are easy to change.
 */

export const REJECT_REASONS = {
  RC01: 'KTP unreadable',
  RC02: 'selfie does not match KTP',
  RC03: 'NIK/name/DoB differ from the civil registry',
  RC04: 'KTP not original',
  RC09: 'phone already tied to another Privy account',
  RC10: 'email registered with another NIK',
} as const

export type RejectCode = keyof typeof REJECT_REASONS

export const REJECT_CODES = Object.keys(REJECT_REASONS) as [RejectCode, ...RejectCode[]]

/** Soft rejects may be fixed and resent (docs/privy-contract.md §3.4); every other code is hard. */
const SOFT_REJECT_CODES: ReadonlySet<RejectCode> = new Set(['RC01', 'RC02', 'RC03'])

export function isSoftReject(code: RejectCode): boolean {
  return SOFT_REJECT_CODES.has(code)
}

export type VerificationOutcome =
  | { kind: 'verified' }
  | { kind: 'rejected'; code: RejectCode; resend: boolean }

/** Like test card numbers: the last four digits of the NIK pick the outcome (docs/privy-contract.md §7). */
const SCRIPTED_BY_NIK_SUFFIX: Readonly<Record<string, RejectCode>> = {
  '0001': 'RC01',
  '0002': 'RC02',
  '0003': 'RC03',
  '0009': 'RC09',
}

/** Landing-page registrations carry no NIK (the user types it on Privy's page) and are verified. */
export function scriptedOutcome(nik: string | undefined): VerificationOutcome {
  const code = nik === undefined ? undefined : SCRIPTED_BY_NIK_SUFFIX[nik.slice(-4)]
  if (code === undefined) return { kind: 'verified' }
  return { kind: 'rejected', code, resend: isSoftReject(code) }
}
