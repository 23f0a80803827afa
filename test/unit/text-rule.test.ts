import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { breaksTextRule, checkedText, text } from '../../src/lib/text.js'

const C0 = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code))
const C1 = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(0x80 + code))
const LINE_BREAKS_AND_TAB = ['\t', '\n', '\r']
const UNPAIRED = ['\ud800', '\udbff', '\udc00', '\udfff', '\ude00\ud83d']

/** What people write: accents, other scripts, emoji (surrogate pairs), NBSP and other Unicode spaces. */
const WRITTEN = [
  'Siti Aminah',
  'Perjanjian Kredit — Ñoño',
  '契約書',
  'عقد الإيجار',
  'Loan 📄 agreement 👍🏽',
  'a\u00a0b\u3000c',
  "O'Brien-Smith, Jr.",
  'https://merchant.example.co.id/hooks?x=1&y=%00',
  '',
]

describe('the text rule', () => {
  it('refuses every C0 control, DEL, every C1 control and unpaired surrogates, anywhere, in one-line text', () => {
    for (const char of [...C0, '\u007f', ...C1, ...UNPAIRED]) {
      for (const value of [char, `a${char}`, `${char}a`, `ab${char}cd`]) {
        expect(breaksTextRule(value), JSON.stringify(value)).toBe(true)
      }
    }
  })

  it('allows tab, CR and LF in multi-line text, and nothing else of the above', () => {
    for (const char of LINE_BREAKS_AND_TAB) expect(breaksTextRule(`a${char}b`, 'lines')).toBe(false)
    const others = [...C0.filter((char) => !LINE_BREAKS_AND_TAB.includes(char)), '\u007f', ...C1, ...UNPAIRED]
    for (const char of others) expect(breaksTextRule(`a${char}b`, 'lines'), JSON.stringify(char)).toBe(true)
  })

  it('accepts what people write, in both kinds', () => {
    for (const value of WRITTEN) {
      expect(breaksTextRule(value), value).toBe(false)
      expect(breaksTextRule(value, 'lines'), value).toBe(false)
    }
  })

  it('text(): trims before checking when asked, bounds the length, names the rule in its message', () => {
    const title = text({ min: 1, max: 10, trim: true })
    expect(title.parse('  Loan\n')).toBe('Loan')
    expect(title.safeParse('Lo\nan').success).toBe(false)
    expect(title.safeParse('Lo\u0000an').error?.issues[0]?.message).toMatch(/control characters/)
    expect(title.safeParse('   ').success).toBe(false)
    expect(title.safeParse('x'.repeat(11)).success).toBe(false)
    expect(text({ max: 5 }).parse(' a ')).toBe(' a ')
  })

  it('shows as a pattern in JSON Schema, and checkedText() keeps the format of the schema it checks', () => {
    const plain = z.toJSONSchema(text({ max: 200 }))
    expect(plain).toMatchObject({ type: 'string', maxLength: 200, pattern: expect.any(String) })
    const url = checkedText(z.url().max(2048).describe('where'))
    expect(z.toJSONSchema(url)).toMatchObject({ format: 'uri', maxLength: 2048, description: 'where' })
    expect(z.toJSONSchema(url).pattern).toBe((plain as { pattern: string }).pattern)
    expect(url.safeParse('https://merchant.example.co.id/hooks').success).toBe(true)
    // new URL() would percent-encode this NUL; the stored string would still hold it.
    expect(url.safeParse('https://merchant.example.co.id/hooks\u0000').success).toBe(false)
    expect(checkedText(z.string(), 'lines').safeParse('QUJD\r\nREVG').success).toBe(true)
  })
})
