import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.js'
import { inspectPdf } from '../../src/pdf/index.js'
import { accepted, refused } from '../fixtures/pdf/hostile.js'

/** What `inspectPdf` refuses a file with, or undefined when it accepts it. */
async function refusalOf(bytes: Buffer) {
  const error = await inspectPdf(bytes).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (error === undefined) return undefined
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return { status: error.status, code: error.code, errors: error.options.errors }
}

describe('inspectPdf: every action that runs code or reaches out is refused, wherever it sits', () => {
  it.each(refused)('refuses %s with 422 naming it', async (_case, make, start) => {
    const refusal = await refusalOf(await make())
    expect(refusal).toMatchObject({ status: 422, code: 'UNPROCESSABLE' })
    expect(refusal?.errors).toHaveLength(1)
    expect(refusal?.errors?.[0]?.path).toBe('file')
    expect(refusal?.errors?.[0]?.message.startsWith(start), refusal?.errors?.[0]?.message).toBe(true)
  })
})

describe('inspectPdf: ordinary navigation and links stay accepted', () => {
  it.each(accepted)('accepts %s', async (_case, make) => {
    expect(await refusalOf(await make())).toBeUndefined()
  })
})
