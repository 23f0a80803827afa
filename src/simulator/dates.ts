/** Calendar checks shared by the Timestamp header (docs/privy-contract.md §2.3) and `dob` (docs/privy-contract.md §3.1): JS `Date` rolls 02-30 over. */

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return day <= daysInMonth
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

/** `YYYY-MM-DD` naming a day that exists. */
export function isCalendarDate(value: string): boolean {
  const match = DATE_ONLY.exec(value)
  if (!match) return false
  return isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))
}

// The offset is mandatory (docs/privy-contract.md §2.3): a local time without one is ambiguous between client and server.
const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/

/** Epoch milliseconds of an ISO-8601 date-time with `Z` or `±HH:MM`, or undefined when it is not one. */
export function parseIsoWithOffset(value: string): number | undefined {
  const match = ISO_WITH_OFFSET.exec(value)
  if (!match) return undefined
  const [, year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match
  if (!isRealDate(Number(year), Number(month), Number(day))) return undefined
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined
  if (offsetHours !== undefined && (Number(offsetHours) > 14 || Number(offsetMinutes) > 59)) return undefined
  const epoch = Date.parse(value)
  return Number.isNaN(epoch) ? undefined : epoch
}
