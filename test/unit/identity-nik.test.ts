import { describe, expect, it } from 'vitest'
import {
  checkNikAgainstDob,
  DobSchema,
  NikSchema,
  parseNik,
} from '../../src/modules/registration/identity/index.js'

const NOW = new Date('2026-11-25T03:00:00Z')
// Jakarta Selatan, a man born 31 January 1990, serial 1234.
const MALE = '3174013101901234'
const MALE_DOB = '1990-01-31'
// Kota Bandung, a woman born 17 August 1985: her day is written 17 + 40 = 57.
const FEMALE = '3273015708851234'
const FEMALE_DOB = '1985-08-17'

const nikError = (message: string) => [{ path: 'nik', message }]
const dobError = (message: string) => [{ path: 'dob', message }]
const NOT_A_DATE = 'the birth date encoded in the NIK (DDMMYY) is not a real date'

describe('parseNik', () => {
  it('reads a man’s NIK', () => {
    expect(parseNik(MALE)).toEqual({
      ok: true,
      nik: {
        provinceCode: '31',
        regencyCode: '74',
        districtCode: '01',
        sex: 'male',
        birthDay: 31,
        birthMonth: 1,
        birthYearTwoDigits: 90,
        serial: '1234',
      },
    })
  })

  it('reads a woman’s NIK, removing the 40 added to her birth day', () => {
    expect(parseNik(FEMALE)).toMatchObject({ ok: true, nik: { sex: 'female', birthDay: 17, birthMonth: 8 } })
  })

  it.each([
    ['95 Papua Pegunungan', '9501013101901234'],
    ['96 Papua Barat Daya', '9601013101901234'],
    ['11 Aceh', '1101013101901234'],
  ])('accepts the province code %s', (_name, nik) => {
    expect(parseNik(nik).ok).toBe(true)
  })

  it('accepts 29 February when the two-digit year can be a leap year', () => {
    expect(parseNik('3174012902001234').ok).toBe(true)
    expect(parseNik('3174016902041234').ok).toBe(true)
    expect(parseNik('3174012902011234')).toEqual({ ok: false, errors: nikError(NOT_A_DATE) })
  })

  it.each([
    ['15 digits', '317401310190123', 'must be 16 digits'],
    ['17 digits', '31740131019012345', 'must be 16 digits'],
    ['letters', '31740131019O1234', 'must contain digits only, without spaces or separators'],
    ['a leading space', ' 3174013101901234', 'must contain digits only, without spaces or separators'],
    ['dots', '31.74.01.310190.1234', 'must contain digits only, without spaces or separators'],
    [
      'full-width digits',
      '３１７４０１３１０１９０１２３４',
      'must contain digits only, without spaces or separators',
    ],
    ['province 00', '0074013101901234', 'does not start with a valid province code'],
    ['province 97', '9774013101901234', 'does not start with a valid province code'],
    ['province 20 (no such code)', '2074013101901234', 'does not start with a valid province code'],
    ['regency 00', '3100013101901234', 'does not contain a valid regency and district code (digits 3 to 6)'],
    ['district 00', '3174003101901234', 'does not contain a valid regency and district code (digits 3 to 6)'],
    ['day 32', '3174013201901234', NOT_A_DATE],
    ['day 00', '3174010001901234', NOT_A_DATE],
    ['day 40 (neither a man’s nor a woman’s day)', '3174014001901234', NOT_A_DATE],
    ['a woman’s day 72 (32 + 40)', '3174017201901234', NOT_A_DATE],
    ['month 13', '3174013113901234', NOT_A_DATE],
    ['month 00', '3174013100901234', NOT_A_DATE],
    ['31 April', '3174013104901234', NOT_A_DATE],
    ['serial 0000', '3174013101900000', 'the serial number (last four digits) must not be 0000'],
  ])('refuses %s', (_case, nik, message) => {
    expect(parseNik(nik)).toEqual({ ok: false, errors: nikError(message) })
  })

  it('reports every structural problem at once', () => {
    const result = parseNik('0000003201900000')
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.errors.map((error) => error.message)).toHaveLength(4)
  })
})

describe('checkNikAgainstDob', () => {
  it('accepts a matching man and woman', () => {
    expect(checkNikAgainstDob(MALE, MALE_DOB, NOW)).toEqual([])
    expect(checkNikAgainstDob(FEMALE, FEMALE_DOB, NOW)).toEqual([])
  })

  it('accepts either century: only two digits of the year are in the NIK', () => {
    expect(checkNikAgainstDob('3174013101051234', '2005-01-31', NOW)).toEqual([])
    expect(checkNikAgainstDob('3174013101051234', '1905-01-31', NOW)).toEqual([])
  })

  it.each([
    ['the year', MALE, '1991-01-31', 'year differs'],
    ['the day', MALE, '1990-01-30', 'day differs'],
    ['the month', MALE, '1990-03-31', 'month differs'],
    ['day and year', FEMALE, '1986-08-18', 'day, year differ'],
  ])('refuses a dob whose %s differs from the NIK', (_case, nik, dob, which) => {
    expect(checkNikAgainstDob(nik, dob, NOW)).toEqual(
      nikError(`the birth date encoded in the NIK (DDMMYY) does not match dob (${which})`),
    )
  })

  it('a woman’s NIK (day + 40) and a man’s (day as is) both match the same dob', () => {
    expect(checkNikAgainstDob(FEMALE, FEMALE_DOB, NOW)).toEqual([])
    expect(checkNikAgainstDob('3273011708851234', FEMALE_DOB, NOW)).toEqual([])
  })

  it.each([
    ['in the future', '2026-12-01', 'must not be in the future'],
    ['30 February', '2026-02-30', 'must be a real calendar date'],
    ['29 February of a common year', '1990-02-29', 'must be a real calendar date'],
    ['before 1900', '1899-12-31', 'must not be before 1900-01-01'],
    ['not YYYY-MM-DD', '31-01-1990', 'must be a date as YYYY-MM-DD'],
    ['with a time', '1990-01-31T00:00:00Z', 'must be a date as YYYY-MM-DD'],
  ])('refuses a dob %s', (_case, dob, message) => {
    expect(checkNikAgainstDob(MALE, dob, NOW)).toEqual(dobError(message))
  })

  it('takes "today" in WIT (UTC+9): born today in Jayapura is not in the future', () => {
    const lateEvening = new Date('2026-11-25T20:00:00Z') // already 26 November in WIT
    expect(checkNikAgainstDob('9171012611261234', '2026-11-26', lateEvening)).toEqual([])
    expect(checkNikAgainstDob('9171012711261234', '2026-11-27', lateEvening)).toEqual(
      dobError('must not be in the future'),
    )
  })

  it('reports NIK and dob problems together, and skips the comparison', () => {
    expect(checkNikAgainstDob('3174013101900000', '2026-02-30', NOW)).toEqual([
      ...nikError('the serial number (last four digits) must not be 0000'),
      ...dobError('must be a real calendar date'),
    ])
  })

  it('never echoes the NIK or the date of birth', () => {
    const cases: Array<[string, string]> = [
      ['3174013101911234', '1990-01-31'],
      ['0074013201900000', '1899-12-31'],
      ['3174013101901234', '2999-01-31'],
    ]
    for (const [nik, dob] of cases) {
      const said = JSON.stringify(checkNikAgainstDob(nik, dob, NOW))
      expect(said).not.toBe('[]')
      for (const secret of [nik, dob, nik.slice(6, 12), dob.replaceAll('-', '')])
        expect(said).not.toContain(secret)
    }
  })
})

describe('request schemas', () => {
  it('NikSchema: 16 ASCII digits', () => {
    expect(NikSchema.safeParse(MALE).success).toBe(true)
    for (const bad of [
      '317401310190123',
      '31740131019012345',
      ' 3174013101901234',
      '３１７４０１３１０１９０１２３４',
    ]) {
      const result = NikSchema.safeParse(bad)
      expect(result.success).toBe(false)
      expect(result.error?.issues.map((issue) => issue.message)).toEqual(['must be 16 digits'])
    }
  })

  it('DobSchema: one message per problem', () => {
    expect(DobSchema.safeParse(MALE_DOB).success).toBe(true)
    const messages = (value: string) => DobSchema.safeParse(value).error?.issues.map((issue) => issue.message)
    expect(messages('1990/01/31')).toEqual(['must be a date as YYYY-MM-DD'])
    expect(messages('2026-02-30')).toEqual(['must be a real calendar date'])
    expect(messages('1899-12-31')).toEqual(['must not be before 1900-01-01'])
    expect(messages('2999-01-01')).toEqual(['must not be in the future'])
  })
})
