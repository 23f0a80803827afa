import { z } from 'zod'

/** Date of birth as the merchant sends it: `YYYY-MM-DD`, a real calendar day, 1900-01-01 to today. */

const DATE_ONLY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
export const EARLIEST_DOB = '1900-01-01'
// "Today" is taken in WIT (UTC+9), Indonesia's easternmost zone, so that someone born today anywhere in
// the country is never told their birth date is in the future.
const WIT_OFFSET_MS = 9 * 60 * 60 * 1000

/** `Date` would roll 2026-02-30 over to 2 March; this does not. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return false
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** What is wrong with a date of birth, as messages for the `dob` field; empty when it is acceptable. */
export function dobProblems(dob: string, now: Date): string[] {
  const match = DATE_ONLY.exec(dob)
  if (match === null) return ['must be a date as YYYY-MM-DD']
  if (!isRealDate(Number(match[1]), Number(match[2]), Number(match[3])))
    return ['must be a real calendar date']
  // Same-width ISO dates compare correctly as strings.
  if (dob < EARLIEST_DOB) return [`must not be before ${EARLIEST_DOB}`]
  if (dob > new Date(now.getTime() + WIT_OFFSET_MS).toISOString().slice(0, 10))
    return ['must not be in the future']
  return []
}

export const DobSchema = z
  .string()
  .regex(DATE_ONLY, 'must be a date as YYYY-MM-DD')
  .superRefine((dob, context) => {
    // zod runs refinements after a failed regex too; the format message is already there.
    if (!DATE_ONLY.test(dob)) return
    for (const message of dobProblems(dob, new Date())) context.addIssue({ code: 'custom', message })
  })
  .describe('Date of birth as on the KTP, YYYY-MM-DD')
  .meta({ example: '2001-03-14' })
