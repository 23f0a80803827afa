/**
 * Ids and instants are everywhere in the document; left alone, Swagger UI invents samples from their
 * patterns (years such as 0324). One realistic value per format, given once here, rather than on
 * every `z.uuid()` and `z.iso.datetime()`. Parameters are left out on purpose: Swagger UI pre-fills
 * them, and a filter or key filled in by the page would narrow every list or replay every try.
 */
export const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b',
  'date-time': '2026-12-07T09:30:00.000Z',
}

type Json = Record<string, unknown>

/** Gives every uuid and date-time string under `node` without an example the one of its format. */
export function addFormatExamples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addFormatExamples(item)
    return
  }
  if (!node || typeof node !== 'object') return
  const schema = node as Json
  const example = typeof schema.format === 'string' ? FORMAT_EXAMPLES[schema.format] : undefined
  if (schema.type === 'string' && example !== undefined && !('example' in schema)) schema.example = example
  for (const value of Object.values(schema)) addFormatExamples(value)
}
