import type { PiiCipher } from '../../lib/pii-crypto.js'

/**
 * The inbox an email address reaches, as the per-address OTP limits count it. Mail-bombing one inbox
 * through many spellings of its address is what this closes: case (`Siti@X.co.id`), a sub-address
 * (`siti+1@…`, `siti+2@…`, delivered to `siti@…` by Gmail, Outlook, iCloud, Fastmail and most
 * corporate servers) and, for Gmail alone, dots in the local part. Two people whose addresses differ
 * only by a `+tag` share one count: rare, and a rate limit errs on the side of the inbox.
 */
export function normalisedEmail(address: string): string {
  const lower = address.trim().toLowerCase()
  const at = lower.lastIndexOf('@')
  if (at <= 0) return lower
  let local = lower.slice(0, at)
  let domain = lower.slice(at + 1).replace(/\.$/, '')
  const plus = local.indexOf('+')
  if (plus > 0) local = local.slice(0, plus)
  if (domain === 'googlemail.com') domain = 'gmail.com'
  if (domain === 'gmail.com') local = local.replaceAll('.', '')
  return `${local}@${domain}`
}

/** Keyed HMAC of the normalised address: the per-address limits count by it, nobody can read it. */
export function emailLookupOf(pii: PiiCipher, address: string): string {
  return pii.lookupHash('email', normalisedEmail(address))
}
