import { randomUUID } from 'node:crypto'
import { type FieldPath, type Json, pathText, walkSchema, withValueAt } from './openapi-strings.js'

/**
 * Requests with a control character in one string field each, built from the OpenAPI document and a
 * valid-looking sample per route (test/integration/text-fields-walk.test.ts).
 */

export interface Poison {
  char: string
  /** Where in the field's value: a URL with a NUL in its host is refused as a URL, at its end it is not. */
  at: 'start' | 'middle' | 'end'
}

/** NUL at each end and inside, other C0 controls, DEL, a C1 control ... */
export const POISONS: Poison[] = [
  { char: '\u0000', at: 'start' },
  { char: '\u0000', at: 'middle' },
  { char: '\u0000', at: 'end' },
  { char: '\u0001', at: 'end' },
  { char: '\u001f', at: 'middle' },
  { char: '\u007f', at: 'end' },
  { char: '\u0085', at: 'middle' },
]
/** In a header only tab and obs-text travel (Node refuses the rest: http-client-errors.test.ts). */
export const HEADER_POISONS: Poison[] = [
  { char: '\t', at: 'middle' },
  { char: '\u0085', at: 'middle' },
]
/** ... and unpaired surrogates, where the transport can carry one (JSON; not UTF-8 forms or URLs). */
export const JSON_ONLY_POISONS: Poison[] = [
  { char: '\ud800', at: 'end' },
  { char: '\udc00', at: 'middle' },
]

export interface FormSample {
  fields: Record<string, unknown>
  files?: Record<string, { bytes: Buffer; type: string; name: string }>
}

/** The valid bodies a route's variants start from: JSON bodies, multipart forms. */
export interface BodySamples {
  json?: unknown[]
  form?: FormSample[]
}

export interface Poisoned {
  path: string
  json?: unknown
  form?: FormSample
  headers?: Record<string, string>
  /** Where the answer must name the field (`name`, `metadata.title`, `query.cursor`, `params.id`). */
  field: string
}

export const poisonInto = (value: unknown, { char, at }: Poison) => {
  const base = typeof value === 'string' && value.length > 0 ? value : 'walk'
  const cut = at === 'start' ? 0 : at === 'end' ? base.length : Math.floor(base.length / 2)
  return `${base.slice(0, cut)}${char}${base.slice(cut)}`
}

/** Every poisoned variant of one operation, and the string fields it reaches (for coverage). */
export function variantsOf(document: Json, operation: Json, route: string, sample: BodySamples) {
  const [, template = ''] = route.split(' ')
  const ids = Object.fromEntries(
    (operation.parameters ?? [])
      .filter((p: Json) => p.in === 'path')
      .map((p: Json) => [p.name, randomUUID()]),
  )
  const url = (params: Record<string, string>, query = '') =>
    template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '')) + query
  const variants: Poisoned[] = []
  const reached = new Set<string>()
  const expected = new Set<string>()
  const note = (where: string, path: FieldPath) => `${where}:${pathText(path)}`

  for (const parameter of operation.parameters ?? []) {
    const { strings } = walkSchema(document, parameter.schema)
    if (strings.length === 0) continue
    expected.add(note(parameter.in, [parameter.name]))
    reached.add(note(parameter.in, [parameter.name]))
    if (parameter.in === 'header') {
      // The route's own sample body, unchanged: only the header is wrong.
      const body = sample.form?.[0] ? { form: sample.form[0] } : { json: sample.json?.[0] }
      for (const poison of HEADER_POISONS) {
        const headers = { [parameter.name]: poisonInto(`walk-${parameter.name}-0001`, poison) }
        variants.push({ path: url(ids), ...body, headers, field: `headers.${parameter.name}` })
      }
      continue
    }
    for (const poison of POISONS) {
      const value = poisonInto(ids[parameter.name], poison)
      variants.push(
        parameter.in === 'path'
          ? { path: url({ ...ids, [parameter.name]: value }), field: `params.${parameter.name}` }
          : {
              path: url(ids, `?${parameter.name}=${encodeURIComponent(value)}`),
              field: `query.${parameter.name}`,
            },
      )
    }
  }

  for (const [type, media] of Object.entries(
    (operation.requestBody?.content ?? {}) as Record<string, Json>,
  )) {
    const where = type === 'multipart/form-data' ? 'form' : 'json'
    for (const node of walkSchema(document, media.schema).strings) {
      if (node.schema.format !== 'binary') expected.add(note(where, node.path))
    }
    const bodies: Array<{ guide: unknown; form?: FormSample }> =
      where === 'form'
        ? (sample.form ?? []).map((form) => ({
            guide: {
              ...form.fields,
              ...Object.fromEntries(Object.keys(form.files ?? {}).map((name) => [name, 'file'])),
            },
            form,
          }))
        : (sample.json ?? []).map((json) => ({ guide: json }))
    for (const { guide, form } of bodies) {
      for (const node of walkSchema(document, media.schema, { value: guide }).strings) {
        if (node.schema.format === 'binary') continue
        reached.add(note(where, node.path))
        const poisons = where === 'json' ? [...POISONS, ...JSON_ONLY_POISONS] : POISONS
        for (const poison of poisons) variants.push(poisonedBody(ids, url, node.path, poison, guide, form))
      }
    }
  }
  return { variants, expected, reached }
}

function poisonedBody(
  ids: Record<string, string>,
  url: (params: Record<string, string>) => string,
  path: FieldPath,
  poison: Poison,
  guide: unknown,
  form: FormSample | undefined,
): Poisoned {
  const field = pathText(path)
  if (!form) {
    const current = path.reduce<Json>((value, key) => value?.[key], guide)
    return { path: url(ids), json: withValueAt(guide, path, poisonInto(current, poison)), field }
  }
  const [name = '', ...inner] = path
  const files = { ...form.files }
  if (inner.length === 0 && typeof form.fields[name] === 'object') {
    // The JSON text itself (a document's metadata): a control character before it is not JSON.
    return {
      path: url(ids),
      form: {
        fields: { ...form.fields, [name]: `${poison.char}${JSON.stringify(form.fields[name])}` },
        files,
      },
      field,
    }
  }
  // A file part replaced by a text field says the same: only the named field is wrong.
  delete files[name as string]
  const current = path.reduce<Json>((value, key) => value?.[key], form.fields)
  return {
    path: url(ids),
    form: {
      fields: withValueAt(form.fields, path, poisonInto(current, poison)) as Record<string, unknown>,
      files,
    },
    field,
  }
}
